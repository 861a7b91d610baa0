package io.million.catalog.api;

import java.time.Instant;

import io.million.catalog.domain.Product;

/**
 * What clients see of a product: stable data only, stock has its own resource. Ids are strings:
 * shard-aware ids exceed JavaScript's 2^53.
 */
public record ProductView(String id, String sku, String name, String description, String category, long priceCents,
        String currency, Instant updatedAt, long version) {

    public static ProductView of(Product product) {
        return new ProductView(Long.toString(product.id), product.sku, product.name, product.description, product.category,
                product.priceCents, product.currency, product.updatedAt, product.version);
    }

    public long key() {
        return Long.parseLong(id);
    }
}
