package io.million.orders.events;


import io.quarkus.runtime.annotations.RegisterForReflection;
/**
 * The catalog's answer for an order ({@code stock.reserved} or {@code stock.rejected} on
 * {@code catalog.events}); {@code reason} and {@code productId} only on a rejection.
 */
@RegisterForReflection // read and written with Jackson outside REST: native needs it
public record StockAnswer(String orderId, String reason, String productId) {
}
