package io.million.orders.events;

import java.time.Instant;
import java.util.List;

import io.million.orders.domain.OrderLine;
import io.million.orders.domain.RejectReason;
import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * {@value OrderEvents#CONFIRMED} or {@value OrderEvents#REJECTED} (with its reason) on
 * {@value OrderEvents#TOPIC}, keyed by the order id. The catalog releases the stock of a rejected
 * order; the users service counts a user's confirmed orders.
 */
@RegisterForReflection // read and written with Jackson outside REST: native needs it
public record OrderSettled(String orderId, String userId, List<OrderLine> items, RejectReason reason, Instant at) {
}
