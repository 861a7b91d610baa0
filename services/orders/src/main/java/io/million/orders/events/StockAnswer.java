package io.million.orders.events;

/**
 * The catalog's answer for an order ({@code stock.reserved} or {@code stock.rejected} on
 * {@code catalog.events}); {@code reason} and {@code productId} only on a rejection.
 */
public record StockAnswer(String orderId, String reason, String productId) {
}
