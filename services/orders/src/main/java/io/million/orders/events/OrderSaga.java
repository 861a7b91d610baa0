package io.million.orders.events;

import java.time.Clock;

import jakarta.enterprise.context.ApplicationScoped;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.hibernate.LockMode;
import org.jboss.logging.Logger;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.million.orders.domain.Order;
import io.million.orders.domain.RejectReason;
import io.million.orders.store.OrderStore;
import io.million.outbox.InboundEvent;
import io.million.outbox.Outbox;
import io.million.outbox.PoisonEvent;
import io.million.outbox.ProcessedEvents;
import io.million.outbox.Redelivery;
import io.million.sharding.ShardIds;
import io.million.sharding.Shards;
import io.smallrye.mutiny.Uni;

/**
 * The orders side of the saga: the catalog's stock answers and the users service's user answers
 * move an order from PENDING to CONFIRMED (both said yes) or REJECTED (either said no). Each
 * answer is applied once (its event id is recorded in the order's shard transaction), and a
 * final state is published through the outbox in that same transaction.
 */
@ApplicationScoped
public class OrderSaga {

    /** The consumer name under which processed event ids are recorded. */
    static final String CONSUMER = "orders-saga";
    private static final Logger LOG = Logger.getLogger(OrderSaga.class);

    private final Shards shards;
    private final Outbox outbox;
    private final OrderEvents events;
    private final OrderStore store;
    private final ObjectMapper json;
    private final Clock clock = Clock.systemUTC();

    public OrderSaga(Shards shards, Outbox outbox, OrderEvents events, OrderStore store, ObjectMapper json) {
        this.shards = shards;
        this.outbox = outbox;
        this.events = events;
        this.store = store;
        this.json = json;
    }

    @Incoming("catalog-events")
    public Uni<Void> onCatalogEvent(ConsumerRecord<String, String> record) {
        InboundEvent event = InboundEvent.of(record);
        return switch (event.type()) {
            case "stock.reserved", "stock.rejected" -> {
                StockAnswer answer = event.read(json, StockAnswer.class);
                boolean reserved = "stock.reserved".equals(event.type());
                yield Redelivery.withRetries(() -> apply(event, answer.orderId(), (order, now) -> reserved
                        ? order.stockReserved(now)
                        : order.reject(RejectReason.of(answer.reason()), now)));
            }
            default -> Uni.createFrom().voidItem();
        };
    }

    @Incoming("users-events")
    public Uni<Void> onUsersEvent(ConsumerRecord<String, String> record) {
        InboundEvent event = InboundEvent.of(record);
        if (!"order.user-checked".equals(event.type())) {
            return Uni.createFrom().voidItem();
        }
        UserAnswer answer = event.read(json, UserAnswer.class);
        return Redelivery.withRetries(() -> apply(event, answer.orderId(),
                (order, now) -> order.userChecked(answer.known(), now)));
    }

    private interface Transition {
        /** Applies the answer; true when the order became final. */
        boolean apply(Order order, java.time.Instant now);
    }

    private Uni<Void> apply(InboundEvent event, String orderId, Transition transition) {
        long id = ShardIds.parse(orderId);
        if (id <= 0) {
            throw new PoisonEvent(event.type() + " " + event.id() + " names no order id: " + orderId);
        }
        return outbox.inTransaction(shards.shardOfId(id), session -> ProcessedEvents
                .record(session, CONSUMER, event.id())
                // Locked: the catalog's and the users' answers for one order arrive together on two
                // channels; they must queue on the row, not fail each other's version check.
                .chain(first -> !first ? Uni.createFrom().voidItem() : session
                        .find(Order.class, id, LockMode.PESSIMISTIC_WRITE)
                        .chain(order -> {
                            if (order == null) {
                                LOG.warnf("%s %s for unknown order %s: ignored", event.type(), event.id(), orderId);
                                return Uni.createFrom().voidItem();
                            }
                            return transition.apply(order, clock.instant())
                                    ? session.flush().chain(() -> events.settled(session, order))
                                    : session.flush();
                        })))
                .call(() -> store.evict(id));
    }
}
