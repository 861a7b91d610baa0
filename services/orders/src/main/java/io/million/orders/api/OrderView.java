package io.million.orders.api;

import java.time.Instant;
import java.util.List;

import io.million.orders.domain.Order;
import io.million.orders.domain.OrderLine;
import io.million.orders.domain.OrderStatus;

/** What clients see of an order. Ids are strings: shard-aware ids exceed JavaScript's 2^53. */
public record OrderView(String id, String userId, OrderStatus status, List<OrderLine> items, Instant createdAt,
        long version) {

    public static OrderView of(Order order) {
        return new OrderView(Long.toString(order.id), Long.toString(order.userId), order.status,
                order.lines.items(), order.createdAt, order.version);
    }

    public long key() {
        return Long.parseLong(id);
    }
}
