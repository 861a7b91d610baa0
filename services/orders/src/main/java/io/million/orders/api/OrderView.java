package io.million.orders.api;

import java.time.Instant;
import java.util.List;

import com.fasterxml.jackson.annotation.JsonInclude;

import io.million.orders.domain.Order;
import io.million.orders.domain.OrderLine;
import io.million.orders.domain.OrderStatus;
import io.million.orders.domain.RejectReason;

/**
 * What clients see of an order. Ids are strings: shard-aware ids exceed JavaScript's 2^53.
 * {@code rejectReason} is present only on a REJECTED order.
 */
public record OrderView(String id, String userId, OrderStatus status,
        @JsonInclude(JsonInclude.Include.NON_NULL) RejectReason rejectReason, List<OrderLine> items,
        Instant createdAt, Instant updatedAt, long version) {

    public static OrderView of(Order order) {
        return new OrderView(Long.toString(order.id), Long.toString(order.userId), order.status, order.rejectReason,
                order.lines.items(), order.createdAt, order.updatedAt, order.version);
    }

    public long key() {
        return Long.parseLong(id);
    }
}
