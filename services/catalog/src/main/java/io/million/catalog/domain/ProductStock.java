package io.million.catalog.domain;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import jakarta.persistence.Version;

/**
 * A product's stock, in a row of its own: stock changes all the time, the product hardly ever, and
 * a stock change must never invalidate the product's caches (nor bump its version and ETag).
 */
@Entity
@Table(name = "product_stock")
public class ProductStock {

    @Id
    @Column(name = "product_id")
    public Long productId;

    @Column(nullable = false)
    public int available;

    @Column(nullable = false)
    public int reserved;

    @Version
    public Long version;

    protected ProductStock() {
    }

    public ProductStock(long productId, int available) {
        this.productId = productId;
        this.available = available;
        this.reserved = 0;
    }
}
