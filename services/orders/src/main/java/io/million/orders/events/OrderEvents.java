package io.million.orders.events;

import jakarta.enterprise.context.ApplicationScoped;

import org.hibernate.reactive.mutiny.Mutiny;

import io.million.orders.domain.Order;
import io.million.orders.domain.OrderStatus;
import io.million.outbox.Outbox;
import io.smallrye.mutiny.Uni;

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

    public OrderEvents(Outbox outbox) {
        this.outbox = outbox;
    }

    /** The order.placed outbox entry; the store writes it with the order, in the same statement. */
    public Outbox.Entry placed(Order order) {
        var event = new OrderPlaced(Long.toString(order.id), Long.toString(order.userId), order.lines.items(),
                order.createdAt);
        return outbox.entry(TOPIC, Long.toString(order.id), PLACED, event);
    }

    /** The order reached CONFIRMED or REJECTED. */
    public Uni<Void> settled(Mutiny.Session session, Order order) {
        var event = new OrderSettled(Long.toString(order.id), Long.toString(order.userId), order.lines.items(),
                order.rejectReason, order.updatedAt);
        String type = order.status == OrderStatus.CONFIRMED ? CONFIRMED : REJECTED;
        return outbox.add(session, TOPIC, Long.toString(order.id), type, event).replaceWithVoid();
    }
}
