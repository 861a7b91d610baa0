package io.million.users.events;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import jakarta.enterprise.context.ApplicationScoped;

import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.eclipse.microprofile.reactive.messaging.Incoming;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.million.outbox.EventConsumer;
import io.million.outbox.EventConsumers;
import io.million.outbox.EventHandler;
import io.million.outbox.InboundEvent;
import io.million.outbox.Outbox;
import io.million.outbox.PoisonEvent;
import io.million.sharding.ShardIds;
import io.million.sharding.Shards;
import io.million.users.store.UserStore;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;

/**
 * The users side of the saga, on {@code orders.events}: {@code order.placed} is answered with
 * {@value UserEvents#ORDER_USER_CHECKED} (does the user exist?), and {@code order.confirmed}
 * adds one to the user's {@code orderCount}, the example of an asynchronous side effect (a
 * notification would go here too). Batches are applied per user shard with one statement per
 * kind ({@link EventConsumer}): one lookup for every checked user, one update for every count.
 */
@ApplicationScoped
public class OrderAccounting implements EventHandler<OrderAccounting.Step> {

    static final String CONSUMER = "users-orders";

    /** What an order event asks of the users service. */
    sealed interface Step permits Check, Count {
    }

    /** Answer whether {@code userId} (0 when the order names none) exists. */
    record Check(String orderId, String userKey, long userId) implements Step {
    }

    /** One more confirmed order for {@code userId}. */
    record Count(long userId) implements Step {
    }

    private final Shards shards;
    private final UserEvents events;
    private final UserStore store;
    private final ObjectMapper json;
    private final EventConsumer<Step> consumer;

    public OrderAccounting(Shards shards, UserEvents events, UserStore store, ObjectMapper json,
            EventConsumers consumers) {
        this.shards = shards;
        this.events = events;
        this.store = store;
        this.json = json;
        this.consumer = consumers.of(this);
    }

    @Incoming("orders-events")
    public Uni<Void> onOrderEvents(ConsumerRecords<String, String> records) {
        return consumer.consume(records);
    }

    @Override
    public String name() {
        return CONSUMER;
    }

    @Override
    public List<Routed<Step>> route(InboundEvent event) {
        return switch (event.type()) {
            case "order.placed" -> {
                OrderEvent order = read(event);
                long userId = Math.max(ShardIds.parse(order.userId()), 0);
                long key = userId > 0 ? userId : ShardIds.parse(order.orderId());
                int shard = shards.shardOfId(key);
                yield List.of(new Routed<>(event, shard, key, new Check(order.orderId(), order.userId(), userId)));
            }
            case "order.confirmed" -> {
                OrderEvent order = read(event);
                long userId = ShardIds.parse(order.userId());
                if (userId <= 0) {
                    throw new PoisonEvent("order.confirmed " + event.id() + " names no user id: " + order.userId());
                }
                yield List.of(new Routed<>(event, shards.shardOfId(userId), userId, new Count(userId)));
            }
            default -> List.of();
        };
    }

    @Override
    public Uni<List<Outbox.Entry>> apply(SqlConnection tx, int shard, List<Routed<Step>> fresh) {
        List<Routed<Step>> checks = new ArrayList<>();
        Map<Long, Integer> counts = new LinkedHashMap<>();
        for (Routed<Step> routed : fresh) {
            if (routed.item() instanceof Check) {
                checks.add(routed);
            } else if (routed.item() instanceof Count count) {
                counts.merge(count.userId(), 1, Integer::sum);
            }
        }
        Uni<Void> counted = counts.isEmpty() ? Uni.createFrom().voidItem() : tx.preparedQuery(
                "update users u set order_count = u.order_count + c.n, version = u.version + 1 "
                        + "from unnest($1::bigint[], $2::int[]) as c(id, n) where u.id = c.id")
                .execute(Tuple.of(counts.keySet().toArray(Long[]::new), counts.values().toArray(Integer[]::new)))
                .replaceWithVoid();
        if (checks.isEmpty()) {
            return counted.replaceWith(List.of());
        }
        Long[] ids = checks.stream().map(routed -> ((Check) routed.item()).userId()).filter(id -> id > 0).distinct()
                .toArray(Long[]::new);
        return counted.chain(() -> tx.preparedQuery("select id from users where id = any($1::bigint[])")
                .execute(Tuple.of((Object) ids)))
                .map(rows -> {
                    Set<Long> known = new HashSet<>();
                    for (Row row : rows) {
                        known.add(row.getLong(0));
                    }
                    return checks.stream().map(routed -> {
                        Check check = (Check) routed.item();
                        return events.orderUserChecked(check.orderId(), check.userKey(), known.contains(check.userId()),
                                routed.event().traceparent());
                    }).toList();
                });
    }

    @Override
    public Uni<Void> committed(int shard, List<Routed<Step>> all) {
        return store.evict(all.stream().filter(routed -> routed.item() instanceof Count)
                .map(routed -> ((Count) routed.item()).userId()).distinct().toList());
    }

    private OrderEvent read(InboundEvent event) {
        OrderEvent order = event.read(json, OrderEvent.class);
        if (order.orderId() == null || ShardIds.parse(order.orderId()) <= 0) {
            throw new PoisonEvent(event.type() + " " + event.id() + " names no order id");
        }
        return order;
    }
}
