package io.million.catalog.events;

import java.time.Instant;
import io.quarkus.runtime.annotations.RegisterForReflection;

/** {@value CatalogEvents#PRODUCT_CREATED} on {@value CatalogEvents#TOPIC}, keyed by the product id. */
@RegisterForReflection // read and written with Jackson outside REST: native needs it
public record ProductCreated(String productId, String sku, String category, Instant at) {
}
