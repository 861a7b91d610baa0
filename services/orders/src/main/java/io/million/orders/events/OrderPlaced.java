package io.million.orders.events;

import java.time.Instant;
import java.util.List;

import io.million.orders.domain.OrderLine;
import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * {@value OrderEvents#PLACED} on {@value OrderEvents#TOPIC}, keyed by the order id: an order was
 * accepted (PENDING). The catalog reserves its stock; the users service checks its user.
 */
@RegisterForReflection // read and written with Jackson outside REST: native needs it
public record OrderPlaced(String orderId, String userId, List<OrderLine> items, Instant at) {
}
