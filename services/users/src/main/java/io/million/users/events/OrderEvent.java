package io.million.users.events;

/** What the users service reads of {@code order.placed} and {@code order.confirmed} on {@code orders.events}. */
public record OrderEvent(String orderId, String userId) {
}
