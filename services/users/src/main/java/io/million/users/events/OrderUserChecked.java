package io.million.users.events;


import io.quarkus.runtime.annotations.RegisterForReflection;
/**
 * {@value UserEvents#ORDER_USER_CHECKED} on {@value UserEvents#TOPIC}, keyed by the order id:
 * whether the ordering user exists. The orders service rejects an order whose user does not.
 */
@RegisterForReflection // read and written with Jackson outside REST: native needs it
public record OrderUserChecked(String orderId, String userId, boolean known) {
}
