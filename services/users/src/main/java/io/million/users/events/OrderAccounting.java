package io.million.users.events;

import jakarta.enterprise.context.ApplicationScoped;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.eclipse.microprofile.reactive.messaging.Incoming;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.million.outbox.InboundEvent;
import io.million.outbox.Outbox;
import io.million.outbox.PoisonEvent;
import io.million.outbox.ProcessedEvents;
import io.million.outbox.Redelivery;
import io.million.sharding.ShardIds;
import io.million.sharding.Shards;
import io.million.users.domain.User;
import io.million.users.store.UserStore;
import io.smallrye.mutiny.Uni;

/**
 * The users side of the saga, on {@code orders.events}: {@code order.placed} is answered with
 * {@value UserEvents#ORDER_USER_CHECKED} (does the user exist?), and {@code order.confirmed}
 * adds one to the user's {@code orderCount}, the example of an asynchronous side effect (a
 * notification would go here too). Each event is applied once, in one transaction on the user's
 * shard that also records its id.
 */
@ApplicationScoped
public class OrderAccounting {

    static final String CONSUMER = "users-orders";

    private final Shards shards;
    private final Outbox outbox;
    private final UserEvents events;
    private final UserStore store;
    private final ObjectMapper json;

    public OrderAccounting(Shards shards, Outbox outbox, UserEvents events, UserStore store, ObjectMapper json) {
        this.shards = shards;
        this.outbox = outbox;
        this.events = events;
        this.store = store;
        this.json = json;
    }

    @Incoming("orders-events")
    public Uni<Void> onOrderEvent(ConsumerRecord<String, String> record) {
        InboundEvent event = InboundEvent.of(record);
        return switch (event.type()) {
            case "order.placed" -> {
                OrderEvent order = read(event);
                yield Redelivery.withRetries(() -> check(event, order));
            }
            case "order.confirmed" -> {
                OrderEvent order = read(event);
                yield Redelivery.withRetries(() -> count(event, order));
            }
            default -> Uni.createFrom().voidItem();
        };
    }

    private Uni<Void> check(InboundEvent event, OrderEvent order) {
        long userId = ShardIds.parse(order.userId());
        int shard = shards.shardOfId(userId > 0 ? userId : ShardIds.parse(order.orderId()));
        return outbox.inTransaction(shard, session -> ProcessedEvents.record(session, OrderAccounting.CONSUMER,
                event.id()).chain(first -> !first ? Uni.createFrom().voidItem()
                        : (userId > 0 ? session.find(User.class, userId) : Uni.createFrom().<User>nullItem())
                                .chain(user -> events.orderUserChecked(session, order.orderId(), order.userId(),
                                        user != null))));
    }

    private Uni<Void> count(InboundEvent event, OrderEvent order) {
        long userId = ShardIds.parse(order.userId());
        if (userId <= 0) {
            throw new PoisonEvent("order.confirmed " + event.id() + " names no user id: " + order.userId());
        }
        return shards.inTransaction(shards.shardOfId(userId), session -> ProcessedEvents
                .record(session, CONSUMER, event.id())
                .chain(first -> !first ? Uni.createFrom().voidItem() : session
                        .createNativeQuery("update users set order_count = order_count + 1, version = version + 1 "
                                + "where id = :id")
                        .setParameter("id", userId)
                        .executeUpdate().replaceWithVoid()))
                .call(() -> store.evict(userId));
    }

    private OrderEvent read(InboundEvent event) {
        OrderEvent order = event.read(json, OrderEvent.class);
        if (order.orderId() == null || ShardIds.parse(order.orderId()) <= 0) {
            throw new PoisonEvent(event.type() + " " + event.id() + " names no order id");
        }
        return order;
    }
}
