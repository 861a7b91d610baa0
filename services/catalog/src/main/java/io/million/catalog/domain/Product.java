package io.million.catalog.domain;

import java.time.Instant;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import jakarta.persistence.Version;

/**
 * A sellable item: its stable data. Stock lives apart ({@link ProductStock}) so that stock
 * changes never touch the product's version or caches. The sku is fixed once created.
 */
@Entity
@Table(name = "products")
@jakarta.persistence.NamedQuery(name = Product.BY_CATEGORY,
        query = "from Product where category = :category and id > :after order by id")
public class Product {

    /** Products of one category after a cursor, by id (named: parsed at boot, not on a request). */
    public static final String BY_CATEGORY = "Product.byCategory";

    public static final String SKU_UNIQUE = "products_sku_key";

    /** Shard-aware: carries the bucket of the sku's hash. */
    @Id
    public Long id;

    @Column(nullable = false, length = 64)
    public String sku;

    @Column(nullable = false, length = 200)
    public String name;

    @Column(length = 4000)
    public String description;

    @Column(nullable = false, length = 64)
    public String category;

    @Column(name = "price_cents", nullable = false)
    public long priceCents;

    /** ISO 4217 code, upper case. */
    @Column(nullable = false, length = 3)
    public String currency;

    @Column(name = "created_at", nullable = false)
    public Instant createdAt;

    @Column(name = "updated_at", nullable = false)
    public Instant updatedAt;

    @Version
    public Long version;

    protected Product() {
    }

    public static Product create(long id, String sku, String name, String description, String category,
            long priceCents, String currency, Instant now) {
        Product product = new Product();
        product.id = id;
        product.sku = sku.strip();
        product.name = name.strip();
        product.description = description;
        product.category = category.strip();
        product.priceCents = priceCents;
        product.currency = currency;
        product.createdAt = now;
        product.updatedAt = now;
        return product;
    }
}
