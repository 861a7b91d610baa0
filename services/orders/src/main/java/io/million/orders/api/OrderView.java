package io.million.orders.api;

import java.time.Instant;
import java.util.List;

import io.million.orders.domain.Order;
import io.million.orders.domain.OrderLine;
import io.million.orders.domain.OrderStatus;

/** What clients see of an order. */
public record OrderView(long id, long userId, OrderStatus status, List<OrderLine> items, Instant createdAt,
        long version) {

    public static OrderView of(Order order) {
        return new OrderView(order.id, order.userId, order.status, order.lines.items(), order.createdAt, order.version);
    }
}
