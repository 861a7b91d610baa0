package io.million.orders.events;

import java.time.Instant;
import java.util.List;

import io.million.orders.domain.OrderLine;

/** Published on {@code orders.events} when an order is accepted; keyed by the order id. */
public record OrderPlaced(String type, String orderId, String userId, List<OrderLine> items, Instant at) {

    public static final String TYPE = "order.placed";

    public OrderPlaced(String orderId, String userId, List<OrderLine> items, Instant at) {
        this(TYPE, orderId, userId, items, at);
    }
}
