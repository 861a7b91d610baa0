package io.million.orders.events;

import jakarta.enterprise.context.ApplicationScoped;

import java.time.Instant;
import java.util.List;

import io.million.orders.domain.Order;
import io.million.orders.domain.OrderLine;
import io.million.orders.domain.OrderLines;
import io.million.orders.domain.OrderStatus;
import io.million.orders.domain.RejectReason;
import io.million.outbox.Outbox;

/**
 * What orders publishes on {@value #TOPIC}, always through the outbox of the order's shard, in
 * the transaction that changed the order: an event is sent if and only if its change committed.
 */
@ApplicationScoped
public class OrderEvents {

    public static final String TOPIC = "orders.events";
    public static final String PLACED = "order.placed";
    public static final String CONFIRMED = "order.confirmed";
    public static final String REJECTED = "order.rejected";

    private final Outbox outbox;
    private final com.fasterxml.jackson.databind.ObjectMapper json;

    public OrderEvents(Outbox outbox, com.fasterxml.jackson.databind.ObjectMapper json) {
        this.outbox = outbox;
        this.json = json;
    }

    /** The order.placed outbox entry; the store writes it with the order, in the same statement. */
    public Outbox.Entry placed(Order order) {
        var event = new OrderPlaced(Long.toString(order.id), Long.toString(order.userId), order.lines.items(),
                order.createdAt);
        return outbox.entry(TOPIC, Long.toString(order.id), PLACED, event);
    }

    /** The order in this row of {@code orders} reached CONFIRMED or REJECTED: the outbox entry that says so. */
    public Outbox.Entry settled(io.vertx.mutiny.sqlclient.Row row, OrderStatus status, RejectReason reason,
            String traceparent) {
        OrderLines lines;
        try {
            lines = json.readValue(row.getString("lines"), OrderLines.class);
        } catch (java.io.IOException e) {
            throw new IllegalStateException("order " + row.getLong("id") + " has unreadable lines", e);
        }
        var event = new OrderSettled(Long.toString(row.getLong("id")), Long.toString(row.getLong("user_id")),
                lines.items(), reason, row.getOffsetDateTime("updated_at").toInstant());
        return outbox.entry(TOPIC, event.orderId(), status == OrderStatus.CONFIRMED ? CONFIRMED : REJECTED, event,
                traceparent);
    }
}
