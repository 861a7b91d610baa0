package io.million.orders.events;

import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import jakarta.enterprise.context.ApplicationScoped;

import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.eclipse.microprofile.reactive.messaging.Incoming;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.million.orders.domain.OrderStatus;
import io.million.orders.domain.RejectReason;
import io.million.orders.store.OrderStore;
import io.million.outbox.EventConsumer;
import io.million.outbox.EventConsumers;
import io.million.outbox.EventHandler;
import io.million.outbox.InboundEvent;
import io.million.outbox.Outbox;
import io.million.outbox.PoisonEvent;
import io.million.sharding.ShardIds;
import io.million.sharding.Shards;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;

/**
 * The orders side of the saga: the catalog's stock answers and the users service's user answers
 * move an order from PENDING to CONFIRMED (both said yes) or REJECTED (either said no). A batch of
 * answers is applied per order shard by one statement per round ({@link #ANSWER}): the orders are
 * locked in id order (the two answer channels never deadlock each other), only PENDING orders
 * change, and those that became final are returned, whose {@code order.confirmed} /
 * {@code order.rejected} event goes to the outbox in the same transaction ({@link EventConsumer}).
 * Answers for an order that is final already (e.g. after its deadline) change nothing.
 */
@ApplicationScoped
public class OrderSaga implements EventHandler<OrderSaga.Answer> {

    /** The consumer name under which processed event ids are recorded. */
    static final String CONSUMER = "orders-saga";

    /** One answer: the stock is held (or not), the user is known (or not); a reason means "no". */
    record Answer(long orderId, boolean stockReserved, boolean userKnown, RejectReason reason, String traceparent) {
    }

    static final String ANSWER = "with a(id, stock, known, reason) as ("
            + "select * from unnest($1::bigint[], $2::bool[], $3::bool[], $4::text[])), "
            + "locked as (select o.id from orders o join a on a.id = o.id where o.status = 'PENDING' "
            + "order by o.id for update of o) "
            + "update orders o set stock_reserved = o.stock_reserved or a.stock, user_known = o.user_known or a.known, "
            + "status = case when a.reason is not null then 'REJECTED' "
            + "when (o.stock_reserved or a.stock) and (o.user_known or a.known) then 'CONFIRMED' else 'PENDING' end, "
            + "reject_reason = coalesce(a.reason, o.reject_reason), updated_at = $5, version = o.version + 1 "
            + "from a, locked where o.id = a.id and locked.id = o.id and o.status = 'PENDING' "
            + "returning o.id, o.user_id, o.status, o.lines::text, o.reject_reason, o.updated_at";

    private final Shards shards;
    private final OrderEvents events;
    private final OrderStore store;
    private final ObjectMapper json;
    private final EventConsumer<Answer> consumer;

    public OrderSaga(Shards shards, OrderEvents events, OrderStore store, ObjectMapper json, EventConsumers consumers) {
        this.shards = shards;
        this.events = events;
        this.store = store;
        this.json = json;
        this.consumer = consumers.of(this);
    }

    @Incoming("catalog-events")
    public Uni<Void> onCatalogEvents(ConsumerRecords<String, String> records) {
        return consumer.consume(records);
    }

    @Incoming("users-events")
    public Uni<Void> onUsersEvents(ConsumerRecords<String, String> records) {
        return consumer.consume(records);
    }

    @Override
    public String name() {
        return CONSUMER;
    }

    @Override
    public List<Routed<Answer>> route(InboundEvent event) {
        Answer answer = switch (event.type()) {
            case "stock.reserved" -> new Answer(orderId(event, event.read(json, StockAnswer.class).orderId()),
                    true, false, null, event.traceparent());
            case "stock.rejected" -> {
                StockAnswer stock = event.read(json, StockAnswer.class);
                yield new Answer(orderId(event, stock.orderId()), false, false, RejectReason.of(stock.reason()),
                        event.traceparent());
            }
            case "order.user-checked" -> {
                UserAnswer user = event.read(json, UserAnswer.class);
                yield new Answer(orderId(event, user.orderId()), false, user.known(),
                        user.known() ? null : RejectReason.UNKNOWN_USER, event.traceparent());
            }
            default -> null;
        };
        return answer == null ? List.of() : List.of(new Routed<>(event, shards.shardOfId(answer.orderId()), answer.orderId(), answer));
    }

    @Override
    public Uni<List<Outbox.Entry>> apply(SqlConnection tx, int shard, List<Routed<Answer>> fresh) {
        // One statement applies one answer per order: a second answer for an order waits for a later round.
        List<List<Answer>> rounds = new ArrayList<>();
        List<Set<Long>> orders = new ArrayList<>();
        for (Routed<Answer> routed : fresh) {
            int round = 0;
            while (round < rounds.size() && orders.get(round).contains(routed.item().orderId())) {
                round++;
            }
            if (round == rounds.size()) {
                rounds.add(new ArrayList<>());
                orders.add(new HashSet<>());
            }
            rounds.get(round).add(routed.item());
            orders.get(round).add(routed.item().orderId());
        }
        List<Outbox.Entry> settled = new ArrayList<>();
        Uni<Void> all = Uni.createFrom().voidItem();
        OffsetDateTime now = OffsetDateTime.now(ZoneOffset.UTC);
        for (List<Answer> round : rounds) {
            java.util.Map<Long, String> traces = new java.util.HashMap<>();
            round.forEach(answer -> traces.put(answer.orderId(), answer.traceparent()));
            all = all.chain(() -> tx.preparedQuery(ANSWER).execute(Tuple.of(
                    round.stream().map(Answer::orderId).toArray(Long[]::new),
                    round.stream().map(Answer::stockReserved).toArray(Boolean[]::new),
                    round.stream().map(Answer::userKnown).toArray(Boolean[]::new),
                    round.stream().map(answer -> answer.reason() == null ? null : answer.reason().name())
                            .toArray(String[]::new),
                    now))
                    .invoke(rows -> {
                        for (Row row : rows) {
                            OrderStatus status = OrderStatus.valueOf(row.getString("status"));
                            if (status != OrderStatus.PENDING) {
                                String reason = row.getString("reject_reason");
                                settled.add(events.settled(row, status, reason == null ? null : RejectReason.valueOf(reason),
                                        traces.get(row.getLong("id"))));
                            }
                        }
                    })
                    .replaceWithVoid());
        }
        return all.replaceWith(settled);
    }

    @Override
    public Uni<Void> committed(int shard, List<Routed<Answer>> all) {
        return store.evict(all.stream().map(routed -> routed.item().orderId()).distinct().toList());
    }

    private static long orderId(InboundEvent event, String orderId) {
        long id = ShardIds.parse(orderId);
        if (id <= 0) {
            throw new PoisonEvent(event.type() + " " + event.id() + " names no order id: " + orderId);
        }
        return id;
    }
}
