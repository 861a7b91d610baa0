package io.million.orders.events;

import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.million.orders.domain.OrderStatus;
import io.million.orders.domain.RejectReason;
import io.million.orders.store.OrderStore;
import io.million.outbox.Outbox;
import io.million.sharding.Shards;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;

/**
 * No order stays PENDING forever: every {@code million.orders.deadline-check}, each replica settles
 * the PENDING orders older than {@code million.orders.deadline} (default 30 s) as REJECTED with
 * reason TIMEOUT, with their {@code order.rejected} event in the same transaction, so the catalog
 * gives back whatever it holds for them (the event follows the order's {@code order.placed} on
 * the same partition, so a late reservation is released too). Replicas share the work without
 * meeting: {@code for update skip locked}. Answers that arrive later change nothing
 * ({@link OrderSaga} only moves PENDING orders).
 */
@ApplicationScoped
public class OrderDeadlines {

    private static final Logger LOG = Logger.getLogger(OrderDeadlines.class);
    private static final int BATCH = 500;
    private static final String EXPIRE = "with due as (select id from orders where status = 'PENDING' "
            + "and created_at < $1 order by created_at limit $2 for update skip locked) "
            + "update orders o set status = 'REJECTED', reject_reason = 'TIMEOUT', updated_at = $3, "
            + "version = o.version + 1 from due where o.id = due.id "
            + "returning o.id, o.user_id, o.lines::text, o.updated_at";

    private final Shards shards;
    private final Outbox outbox;
    private final OrderEvents events;
    private final OrderStore store;
    private final Vertx vertx;
    private final Duration deadline;
    private final Duration every;
    private final Counter expired;
    private final AtomicBoolean running = new AtomicBoolean();
    private long timer = -1;

    public OrderDeadlines(Shards shards, Outbox outbox, OrderEvents events, OrderStore store,
            Vertx vertx, MeterRegistry registry,
            @ConfigProperty(name = "million.orders.deadline", defaultValue = "PT30S") Duration deadline,
            @ConfigProperty(name = "million.orders.deadline-check", defaultValue = "PT1S") Duration every) {
        this.shards = shards;
        this.outbox = outbox;
        this.events = events;
        this.store = store;
        this.vertx = vertx;
        this.deadline = deadline;
        this.every = every;
        this.expired = Counter.builder("million.orders.expired")
                .description("PENDING orders settled REJECTED/TIMEOUT at their deadline").register(registry);
    }

    void start(@Observes StartupEvent started) {
        timer = vertx.setPeriodic(every.toMillis(), tick -> {
            if (running.compareAndSet(false, true)) {
                sweepAll().subscribe().with(done -> running.set(false), failure -> running.set(false));
            }
        });
    }

    void stop(@Observes ShutdownEvent stopping) {
        if (timer >= 0) {
            vertx.cancelTimer(timer);
        }
    }

    /** Every shard once, one after the other; a shard that fails is skipped until the next tick. */
    Uni<Void> sweepAll() {
        Uni<Void> all = Uni.createFrom().voidItem();
        for (int shard = 0; shard < shards.count(); shard++) {
            int current = shard;
            all = all.chain(() -> sweep(current).onFailure().recoverWithUni(failure -> {
                LOG.debugf("order deadlines on shard %d: %s", current, failure);
                return Uni.createFrom().voidItem();
            }));
        }
        return all;
    }

    private Uni<Void> sweep(int shard) {
        OffsetDateTime now = OffsetDateTime.now(ZoneOffset.UTC);
        List<Long> ids = new ArrayList<>();
        return Shards.guard(shard, shards.pool(shard).withTransaction(tx -> tx.preparedQuery(EXPIRE)
                .execute(Tuple.of(now.minus(deadline), BATCH, now))
                .chain(rows -> {
                    List<Outbox.Entry> rejected = new ArrayList<>();
                    for (Row row : rows) {
                        ids.add(row.getLong("id"));
                        rejected.add(events.settled(row, OrderStatus.REJECTED, RejectReason.TIMEOUT, null));
                    }
                    return Outbox.write(tx, rejected);
                })))
                .chain(() -> {
                    if (ids.isEmpty()) {
                        return Uni.createFrom().voidItem();
                    }
                    outbox.committed(shard);
                    expired.increment(ids.size());
                    LOG.infof("%d PENDING orders on shard %d passed their deadline of %s: REJECTED (TIMEOUT)",
                            ids.size(), shard, deadline);
                    return store.evict(ids).chain(() -> ids.size() == BATCH ? sweep(shard) : Uni.createFrom().voidItem());
                });
    }
}
