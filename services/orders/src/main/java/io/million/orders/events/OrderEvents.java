package io.million.orders.events;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.reactive.messaging.Channel;
import org.jboss.logging.Logger;

import io.million.orders.domain.Order;
import io.smallrye.reactive.messaging.MutinyEmitter;
import io.smallrye.reactive.messaging.kafka.Record;

/**
 * Publishes order events to Kafka ({@code orders.events}) after the write has committed.
 * Best effort until the transactional outbox replaces it: a failed publish is logged.
 */
@ApplicationScoped
public class OrderEvents {

    private static final Logger LOG = Logger.getLogger(OrderEvents.class);

    private final MutinyEmitter<Record<String, OrderPlaced>> emitter;

    public OrderEvents(@Channel("order-events") MutinyEmitter<Record<String, OrderPlaced>> emitter) {
        this.emitter = emitter;
    }

    public void placed(Order order) {
        var event = new OrderPlaced(Long.toString(order.id), Long.toString(order.userId), order.lines.items(),
                order.createdAt);
        emitter.send(Record.of(Long.toString(order.id), event)).subscribe().with(
                ignored -> { },
                failure -> LOG.warnf("order.placed for %d not published: %s", order.id, failure.toString()));
    }
}
