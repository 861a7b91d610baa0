package io.million.outbox;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLongArray;

import jakarta.annotation.Priority;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.million.sharding.Shards;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.TextMapGetter;
import io.opentelemetry.context.propagation.TextMapPropagator;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
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
 * Runs on a thread of its own: the Kafka producer blocks, the event loop must not.
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
    private static final Duration PURGE_EVERY = Duration.ofMinutes(1);
    private static final int PURGE_CHUNK = 10_000;
    private static final int PURGE_CHUNKS = 60;
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
    private final KafkaClients clients;
    private final String clientId;
    private final Tracer tracer;
    private final TextMapPropagator propagator = W3CTraceContextPropagator.getInstance();
    private final Semaphore wakeUps = new Semaphore(0);
    private final AtomicIntegerArray dirty;
    private final AtomicLongArray lagMillis;
    private final long[] lastPurge;
    private final Counter[] published;
    private final Counter failures;
    private final Counter purged;
    private volatile boolean running;
    private volatile Thread thread;
    private KafkaProducer<String, String> producer;

    public OutboxRelay(Shards shards, OutboxConfig config, MeterRegistry registry, OpenTelemetry telemetry,
            KafkaClients clients,
            @ConfigProperty(name = "quarkus.application.name") String application) {
        this.shards = shards;
        this.config = config;
        this.clients = clients;
        this.clientId = application + "-outbox-relay";
        this.tracer = telemetry.getTracer("io.million.outbox");
        this.lagMillis = new AtomicLongArray(shards.count());
        this.dirty = new AtomicIntegerArray(shards.count());
        this.lastPurge = new long[shards.count()];
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
        this.purged = Counter.builder("million.events.processed.purged")
                .description("Processed-event ids deleted after million.outbox.processed-retention").register(registry);
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
                    closeProducer();
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
        closeProducer();
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
                publish(rows);
            }
            transaction.commit().await().atMost(SQL_TIMEOUT);
            if (sweep) {
                purgeIfDue(connection, shard);
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

    /** Rows come back from {@code delete ... returning} in no promised order: publish them in id order. */
    private void publish(RowSet<Row> deleted) throws Exception {
        List<Row> rows = new ArrayList<>(deleted.size());
        deleted.forEach(rows::add);
        rows.sort(java.util.Comparator.comparingLong(row -> row.getLong("id")));
        KafkaProducer<String, String> kafka = producer();
        List<Future<RecordMetadata>> acks = new ArrayList<>(rows.size());
        List<Span> spans = new ArrayList<>();
        try {
            for (Row row : rows) {
                String topic = config.topic(row.getString("topic"));
                String type = row.getString("event_type");
                RecordHeaders headers = new RecordHeaders();
                headers.add(EVENT_ID, row.getUUID("event_id").toString().getBytes(StandardCharsets.UTF_8));
                headers.add(EVENT_TYPE, type.getBytes(StandardCharsets.UTF_8));
                String traceparent = row.getString("traceparent");
                if (traceparent != null) {
                    // The relay's hop as a span of the trace that wrote the event; consumers continue it.
                    Context parent = propagator.extract(Context.root(), traceparent, TRACEPARENT);
                    Span span = tracer.spanBuilder(topic + " publish").setParent(parent)
                            .setSpanKind(SpanKind.PRODUCER)
                            .setAttribute("messaging.system", "kafka")
                            .setAttribute("messaging.destination.name", topic)
                            .setAttribute("messaging.operation.type", "publish")
                            .setAttribute("million.event.type", type).startSpan();
                    spans.add(span);
                    String propagated = Outbox.traceparent(span.getSpanContext());
                    headers.add("traceparent", (propagated != null ? propagated : traceparent)
                            .getBytes(StandardCharsets.UTF_8));
                }
                acks.add(kafka.send(new ProducerRecord<>(topic, null, row.getString("event_key"),
                        row.getString("payload"), headers)));
            }
            long deadline = System.nanoTime() + config.publishTimeout().toNanos();
            for (Future<RecordMetadata> ack : acks) {
                ack.get(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            }
        } finally {
            spans.forEach(Span::end);
        }
    }

    /**
     * Once a minute per shard, deletes processed-event ids older than the retention, in chunks of
     * {@value #PURGE_CHUNK} (each its own short statement, after the relay's transaction) until
     * none is left, at most {@value #PURGE_CHUNKS} chunks a round: 600,000 rows a minute per shard,
     * far above what the consumers write, so the table stays at the retention's size.
     */
    private void purgeIfDue(SqlConnection connection, int shard) {
        long now = System.currentTimeMillis();
        if (now - lastPurge[shard] < PURGE_EVERY.toMillis()) {
            return;
        }
        lastPurge[shard] = now;
        OffsetDateTime before = OffsetDateTime.now(ZoneOffset.UTC).minus(config.processedRetention());
        for (int chunk = 0; chunk < PURGE_CHUNKS && running; chunk++) {
            int deleted = connection.preparedQuery("delete from processed_events where (consumer, event_id) in "
                    + "(select consumer, event_id from processed_events where processed_at < $1 limit $2)")
                    .execute(Tuple.of(before, PURGE_CHUNK)).await().atMost(SQL_TIMEOUT).rowCount();
            purged.increment(deleted);
            if (deleted < PURGE_CHUNK) {
                break;
            }
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

    private KafkaProducer<String, String> producer() {
        if (producer == null) {
            producer = clients.producer(clientId, Map.of(
                    ProducerConfig.ACKS_CONFIG, "all",
                    ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true",
                    ProducerConfig.LINGER_MS_CONFIG, Long.toString(config.producerLinger().toMillis()),
                    ProducerConfig.BATCH_SIZE_CONFIG, "262144",
                    ProducerConfig.MAX_BLOCK_MS_CONFIG, "5000",
                    ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, "5000",
                    ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG,
                    Long.toString(Math.max(config.publishTimeout().toMillis(), 5001))));
        }
        return producer;
    }

    /** After a failure the producer starts afresh: no half-failed idempotence state carries over. */
    private void closeProducer() {
        if (producer != null) {
            try {
                producer.close(Duration.ofSeconds(1));
            } catch (RuntimeException e) {
                LOG.debugf("closing the outbox producer: %s", e);
            }
            producer = null;
        }
    }
}
