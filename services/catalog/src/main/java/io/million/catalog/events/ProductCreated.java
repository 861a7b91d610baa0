package io.million.catalog.events;

import java.time.Instant;

/** Published on {@code catalog.events} when a product is created; keyed by the product id. */
public record ProductCreated(String type, String productId, String sku, String category, Instant at) {

    public static final String TYPE = "product.created";

    public ProductCreated(String productId, String sku, String category, Instant at) {
        this(TYPE, productId, sku, category, at);
    }
}
