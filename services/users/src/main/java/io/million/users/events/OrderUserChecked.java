package io.million.users.events;

/**
 * {@value UserEvents#ORDER_USER_CHECKED} on {@value UserEvents#TOPIC}, keyed by the order id:
 * whether the ordering user exists. The orders service rejects an order whose user does not.
 */
public record OrderUserChecked(String orderId, String userId, boolean known) {
}
