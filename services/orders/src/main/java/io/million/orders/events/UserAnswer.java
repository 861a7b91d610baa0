package io.million.orders.events;


import io.quarkus.runtime.annotations.RegisterForReflection;
/** The users service's answer for an order ({@code order.user-checked} on {@code users.events}). */
@RegisterForReflection // read and written with Jackson outside REST: native needs it
public record UserAnswer(String orderId, String userId, boolean known) {
}
