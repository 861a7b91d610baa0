package io.million.outbox;

import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLongArray;

import jakarta.annotation.Priority;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;

import org.jboss.logging.Logger;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.million.sharding.Shards;
import io.opentelemetry.context.propagation.TextMapGetter;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.RowSet;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Transaction;
import io.vertx.mutiny.sqlclient.Tuple;

/**
 * Publishes the outbox rows of every shard to Kafka, in id order, keyed by the event key (so one
 * key's events keep their order in its partition), and marks them sent (deletes them) in the
 * same transaction that claimed them. At least once: a crash between Kafka's acknowledgement and the commit
 * publishes the batch again, and consumers drop repeats by event id.
 * <p>
 * Several replicas run a relay each. A relay claims a shard with a transaction-scoped advisory
 * lock and skips shards another relay holds: one publisher per shard at a time keeps each key's
 * order, which {@code FOR UPDATE SKIP LOCKED} row claiming alone would not (two relays could send
 * a key's events concurrently), and no work is done twice. When Kafka or a shard fails, rows
 * wait and the relay backs off (100 ms doubling to {@code million.outbox.max-backoff}) and
 * resumes on its own.
 * <p>
 * Runs on a thread of its own: the Kafka producer blocks, the event loop must not. Its jobs are
 * split: this class schedules the shards, claims and reads their rows and keeps the metrics;
 * {@link OutboxPublisher} talks to Kafka; {@link ProcessedEventsPurge} keeps the consumers'
 * memory at its retention, on the sweeps of this loop.
 * Metrics: {@code million_outbox_lag_seconds{shard}} (age of the oldest unsent row),
 * {@code million_outbox_published_total{shard}}, {@code million_outbox_publish_failures_total}.
 */
@Singleton
public class OutboxRelay {

    /** Kafka header holding the event id (a UUID): what consumers deduplicate by. */
    public static final String EVENT_ID = "event-id";
    /** Kafka header holding the event type, e.g. {@code order.placed}. */
    public static final String EVENT_TYPE = "event-type";

    private static final Logger LOG = Logger.getLogger(OutboxRelay.class);
    /** Same for every replica of a service: the advisory lock that makes a relay a shard's only publisher. */
    private static final long LOCK_KEY = 0x6f7574626f78L;
    private static final Duration SQL_TIMEOUT = Duration.ofSeconds(10);
    private static final Duration FIRST_BACKOFF = Duration.ofMillis(100);
    static final TextMapGetter<String> TRACEPARENT = new TextMapGetter<>() {
        @Override
        public Iterable<String> keys(String carrier) {
            return List.of("traceparent");
        }

        @Override
        public String get(String carrier, String key) {
            return "traceparent".equals(key) ? carrier : null;
        }
    };

    private final Shards shards;
    private final OutboxConfig config;
    private final OutboxPublisher publisher;
    private final ProcessedEventsPurge purge;
    private final Semaphore wakeUps = new Semaphore(0);
    private final AtomicIntegerArray dirty;
    private final AtomicLongArray lagMillis;
    private final Counter[] published;
    private final Counter failures;
    private volatile boolean running;
    private volatile Thread thread;

    public OutboxRelay(Shards shards, OutboxConfig config, MeterRegistry registry, OutboxPublisher publisher,
            ProcessedEventsPurge purge) {
        this.shards = shards;
        this.config = config;
        this.publisher = publisher;
        this.purge = purge;
        this.lagMillis = new AtomicLongArray(shards.count());
        this.dirty = new AtomicIntegerArray(shards.count());
        this.published = new Counter[shards.count()];
        for (int shard = 0; shard < shards.count(); shard++) {
            int index = shard;
            Gauge.builder("million.outbox.lag", lagMillis, lags -> lags.get(index) / 1000.0)
                    .baseUnit("seconds").description("Age of the oldest unsent outbox row")
                    .tag("shard", Integer.toString(shard)).register(registry);
            published[shard] = Counter.builder("million.outbox.published").description("Outbox events published")
                    .tag("shard", Integer.toString(shard)).register(registry);
        }
        this.failures = Counter.builder("million.outbox.publish.failures")
                .description("Relay rounds that failed (Kafka or the shard unavailable)").register(registry);
    }

    /** After the migrations (which observe start-up at the default priority): the tables exist. */
    void start(@Observes @Priority(jakarta.interceptor.Interceptor.Priority.APPLICATION + 1000) StartupEvent event) {
        if (!config.relay()) {
            LOG.info("outbox relay disabled on this replica (million.outbox.relay=false)");
            return;
        }
        running = true;
        Thread relay = new Thread(this::run, "outbox-relay");
        relay.setDaemon(true);
        thread = relay;
        relay.start();
    }

    void stop(@Observes ShutdownEvent event) {
        running = false;
        Thread relay = thread;
        if (relay != null) {
            relay.interrupt();
            try {
                relay.join(TimeUnit.SECONDS.toMillis(5));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** A local transaction wrote to {@code shard}'s outbox: publish now rather than at the next sweep. */
    public void wake(int shard) {
        if (dirty.getAndSet(shard, 1) == 0 && wakeUps.availablePermits() == 0) {
            wakeUps.release();
        }
    }

    /**
     * Visits the shards that were woken or still have a backlog, and every shard once per poll
     * interval (rows other replicas wrote, rows left by a failure).
     */
    private void run() {
        long backoff = 0;
        boolean failing = false;
        long nextSweep = 0;
        boolean[] backlog = new boolean[shards.count()];
        while (running) {
            boolean sweep = System.nanoTime() - nextSweep >= 0;
            if (sweep) {
                nextSweep = System.nanoTime() + config.pollInterval().toNanos();
            }
            boolean more = false;
            Exception failure = null;
            for (int shard = 0; shard < shards.count() && running; shard++) {
                if (!(dirty.getAndSet(shard, 0) == 1 || backlog[shard] || sweep)) {
                    continue;
                }
                try {
                    backlog[shard] = relay(shard, sweep);
                    more |= backlog[shard];
                } catch (Exception e) {
                    failure = e;
                    failures.increment();
                }
            }
            try {
                if (failure != null) {
                    if (!failing) {
                        LOG.warnf("outbox relay: %s; unsent events wait, retrying with backoff", failure.toString());
                    }
                    failing = true;
                    publisher.reset();
                    backoff = Math.min(Math.max(backoff * 2, FIRST_BACKOFF.toMillis()), config.maxBackoff().toMillis());
                    Thread.sleep(backoff);
                    nextSweep = 0; // after a failure every shard is looked at again
                } else {
                    if (failing) {
                        LOG.info("outbox relay: publishing again");
                    }
                    failing = false;
                    backoff = 0;
                    long untilSweep = nextSweep - System.nanoTime();
                    if (!more && untilSweep > 0 && wakeUps.tryAcquire(untilSweep, TimeUnit.NANOSECONDS)) {
                        // Let the commits of the next few milliseconds join this round: one round
                        // per commit would cost more statements than the writes themselves.
                        Thread.sleep(config.linger().toMillis());
                        wakeUps.drainPermits();
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        publisher.reset();
    }

    /**
     * One round on one shard: claims it, publishes up to a batch of its unsent rows and deletes
     * them (that is how a row is marked sent: an update would cost a second write and a purge;
     * Kafka keeps the history). True when a full batch went out (more may be waiting).
     */
    private boolean relay(int shard, boolean sweep) throws Exception {
        SqlConnection connection = shards.pool(shard).getConnection().await().atMost(SQL_TIMEOUT);
        try {
            Transaction transaction = connection.begin().await().atMost(SQL_TIMEOUT);
            boolean claimed = connection.preparedQuery("select pg_try_advisory_xact_lock($1)")
                    .execute(Tuple.of(LOCK_KEY)).await().atMost(SQL_TIMEOUT).iterator().next().getBoolean(0);
            if (!claimed) {
                if (sweep) { // another replica's relay publishes this shard; only report the lag
                    RowSet<Row> oldest = connection.query("select created_at from outbox order by id limit 1")
                            .execute().await().atMost(SQL_TIMEOUT);
                    lagMillis.set(shard, oldest.size() == 0 ? 0 : age(oldest.iterator().next()));
                }
                transaction.rollback().await().atMost(SQL_TIMEOUT);
                return false;
            }
            // Deleted now, published next: if Kafka fails, the rollback brings the rows back.
            RowSet<Row> rows = connection.preparedQuery("delete from outbox where id in (select id from outbox "
                    + "order by id limit $1) returning id, event_id, topic, event_key, event_type, payload, "
                    + "traceparent, created_at")
                    .execute(Tuple.of(config.batchSize())).await().atMost(SQL_TIMEOUT);
            lagMillis.set(shard, rows.size() == 0 ? 0 : age(oldest(rows)));
            if (rows.size() > 0) {
                publisher.publish(rows);
            }
            transaction.commit().await().atMost(SQL_TIMEOUT);
            if (sweep) {
                purge.ifDue(connection, shard);
            }
            published[shard].increment(rows.size());
            if (rows.size() > 0 && rows.size() < config.batchSize()) {
                lagMillis.set(shard, 0);
            }
            return rows.size() == config.batchSize();
        } finally {
            connection.close().await().atMost(SQL_TIMEOUT);
        }
    }

    private static Row oldest(RowSet<Row> rows) {
        Row oldest = null;
        for (Row row : rows) {
            if (oldest == null || row.getLong("id") < oldest.getLong("id")) {
                oldest = row;
            }
        }
        return oldest;
    }

    private static long age(Row row) {
        OffsetDateTime created = row.getOffsetDateTime("created_at");
        return Math.max(0, System.currentTimeMillis() - created.toInstant().toEpochMilli());
    }


}
