package io.million.catalog.events;

import java.time.Instant;

/** {@value CatalogEvents#PRODUCT_CREATED} on {@value CatalogEvents#TOPIC}, keyed by the product id. */
public record ProductCreated(String productId, String sku, String category, Instant at) {
}
