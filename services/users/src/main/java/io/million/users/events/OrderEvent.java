package io.million.users.events;


import io.quarkus.runtime.annotations.RegisterForReflection;
/** What the users service reads of {@code order.placed} and {@code order.confirmed} on {@code orders.events}. */
@RegisterForReflection // read and written with Jackson outside REST: native needs it
public record OrderEvent(String orderId, String userId) {
}
