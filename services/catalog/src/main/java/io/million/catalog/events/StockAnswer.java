package io.million.catalog.events;

import java.time.Instant;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * {@value CatalogEvents#STOCK_RESERVED} or {@value CatalogEvents#STOCK_REJECTED} on
 * {@value CatalogEvents#TOPIC}, keyed by the order id: the catalog's answer to an order.
 * {@code reason} ({@code OUT_OF_STOCK}, {@code UNKNOWN_PRODUCT}) and {@code productId} only on a rejection.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@RegisterForReflection // read and written with Jackson outside REST: native needs it
public record StockAnswer(String orderId, String reason, String productId, Instant at) {
}
