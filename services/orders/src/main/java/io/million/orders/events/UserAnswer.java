package io.million.orders.events;

/** The users service's answer for an order ({@code order.user-checked} on {@code users.events}). */
public record UserAnswer(String orderId, String userId, boolean known) {
}
