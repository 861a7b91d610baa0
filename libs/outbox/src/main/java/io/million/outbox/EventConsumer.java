package io.million.outbox;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.Supplier;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.jboss.logging.Logger;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.million.sharding.ShardIds;
import io.million.sharding.Shards;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;

/**
 * The one way a service consumes events: a batch of Kafka records (the channel runs in batch
 * mode) is decoded, routed by its {@link EventHandler} to the shards it changes, and applied as
 * one transaction per shard, the shards in parallel. Each transaction records the events' ids in
 * {@code processed_events} with one set-based statement (a redelivered event is dropped there and
 * changes nothing), applies the fresh ones with the handler's set-based SQL and writes the outbox
 * entries they cause, so effect, memory of it and answer commit together.
 * <p>
 * Failures are classified ({@link Transient}): a failure that may pass (a shard or Redis down or
 * slow, a deadlock, Kafka) is retried with capped exponential backoff and jitter, in place for
 * {@code million.outbox.retry.park-after}, then on the retry topic ({@link RetryTopic}) so the
 * batch completes and healthy shards go on, until {@code million.outbox.retry.bound} (default 5
 * minutes) since the first failure, then dead-lettered with its reason. Poison (unreadable,
 * unknown shape, a contract violation) goes to the dead-letter topic at once and the rest of its
 * batch goes on; a group that fails for another reason is applied event by event, so only the
 * event that fails alone is dead-lettered. Mutiny's retry does the backoff (jitter and an expiry
 * included); each attempt re-enters the caller's Vert.x context, which Hibernate Reactive sessions
 * (used by {@link EventHandler#applyAlone}) require.
 */
public final class EventConsumer<T> {

    private static final Logger LOG = Logger.getLogger(EventConsumer.class);
    private static final String RECORD_PROCESSED = "insert into processed_events (consumer, event_id, bucket) "
            + "select $1, unnest($2::uuid[]), unnest($3::smallint[]) on conflict do nothing returning event_id";

    private final EventHandler<T> handler;
    private final Shards shards;
    private final Outbox outbox;
    private final DeadLetters deadLetters;
    private final OutboxConfig.Retry retry;
    private final Counter applied;
    private final Counter duplicates;
    private final Counter ignored;
    private final Counter deadLettered;
    private final Counter retries;
    private final DistributionSummary batchSize;
    private final Tracer tracer;
    private final RetryTopic retryTopic;
    private final Counter parked;
    /** Shards whose events this consumer parks, since when (epoch ms). */
    private final java.util.concurrent.ConcurrentHashMap<Integer, Long> parkedAt = new java.util.concurrent.ConcurrentHashMap<>();

    EventConsumer(EventHandler<T> handler, Shards shards, Outbox outbox, DeadLetters deadLetters,
            OutboxConfig.Retry retry, MeterRegistry registry, Tracer tracer, RetryTopic retryTopic) {
        this.tracer = tracer;
        this.retryTopic = retryTopic;
        this.handler = handler;
        this.shards = shards;
        this.outbox = outbox;
        this.deadLetters = deadLetters;
        this.retry = retry;
        String name = handler.name();
        this.applied = outcome(registry, name, "applied");
        this.duplicates = outcome(registry, name, "duplicate");
        this.ignored = outcome(registry, name, "ignored");
        this.deadLettered = outcome(registry, name, "dead_lettered");
        this.parked = outcome(registry, name, "parked");
        this.retries = Counter.builder("million.events.retries").tag("consumer", name)
                .description("Attempts of an event group that failed for a reason that may pass and were retried")
                .register(registry);
        this.batchSize = DistributionSummary.builder("million.events.batch.size").tag("consumer", name)
                .description("Records per consumed batch").register(registry);
    }

    private static Counter outcome(MeterRegistry registry, String consumer, String outcome) {
        return Counter.builder("million.events.consumed").tag("consumer", consumer).tag("outcome", outcome)
                .description("Events consumed, by what became of them").register(registry);
    }

    /** Consumes one batch; completes when every record is applied, parked or dead-lettered. */
    public Uni<Void> consume(ConsumerRecords<String, String> records) {
        List<ConsumerRecord<String, String>> list = new ArrayList<>(records.count());
        records.forEach(list::add);
        batchSize.record(list.size());
        return consume(list, false);
    }

    /**
     * Records this consumer parked on the retry topic ({@link RetryTopicConsumer}): once they are
     * due, each group is tried once more; it is parked again (backoff doubled) while its shard still
     * fails, until {@code million.outbox.retry.bound} since its first failure, then dead-lettered.
     */
    Uni<Void> retry(List<ConsumerRecord<String, String>> records) {
        long due = records.stream().mapToLong(record -> RetryTopic.state(record).notBefore()).max().orElse(0);
        long wait = Math.min(due - System.currentTimeMillis(), retry.maxBackoff().toMillis());
        Uni<Void> waited = wait <= 0 ? Uni.createFrom().voidItem()
                : Uni.createFrom().voidItem().onItem().delayIt().by(Duration.ofMillis(wait));
        Context context = Vertx.currentContext();
        if (context != null) { // back on the caller's context after the wait (Hibernate Reactive needs it)
            waited = waited.emitOn(task -> context.runOnContext(ignored -> task.run()));
        }
        return waited.chain(() -> consume(records, true));
    }

    private Uni<Void> consume(List<ConsumerRecord<String, String>> records, boolean retrying) {
        Context context = Vertx.currentContext();
        List<DeadLetters.Letter> poison = new ArrayList<>();
        List<EventHandler.Routed<T>> alone = new ArrayList<>();
        Map<Integer, List<EventHandler.Routed<T>>> groups = new LinkedHashMap<>();
        Map<InboundEvent, ConsumerRecord<String, String>> sources = new IdentityHashMap<>();
        Set<String> seen = new HashSet<>();
        List<Span> spans = new ArrayList<>();
        for (ConsumerRecord<String, String> record : records) {
            try {
                InboundEvent event = traced(InboundEvent.of(record), record, spans);
                List<EventHandler.Routed<T>> routes = handler.route(event);
                if (routes.isEmpty()) {
                    ignored.increment();
                    continue;
                }
                sources.put(event, record);
                for (EventHandler.Routed<T> routed : routes) {
                    if (!seen.add(routed.shard() + "/" + event.id())) {
                        continue; // delivered twice in one batch: once is enough
                    }
                    if (handler.alone(routed)) {
                        alone.add(routed);
                    } else {
                        groups.computeIfAbsent(routed.shard(), shard -> new ArrayList<>()).add(routed);
                    }
                }
            } catch (RuntimeException e) { // PoisonEvent, or a handler that cannot read it: never applicable
                poison.add(new DeadLetters.Letter(record, e, handler.name()));
            }
        }
        Uni<Void> all = deadLetter(poison, context);
        for (EventHandler.Routed<T> routed : alone) {
            all = all.chain(() -> settle(List.of(routed), sources, context,
                    () -> handler.applyAlone(routed).invoke(() -> applied.increment())));
        }
        return all.chain(() -> Uni.join().all(groups.entrySet().stream()
                .map(group -> applyGroup(group.getKey(), group.getValue(), sources, context, retrying)).toList())
                .andCollectFailures().replaceWithVoid())
                .onTermination().invoke(() -> spans.forEach(Span::end));
    }

    /**
     * A consumer span per traced record, child of the producer's span in its traceparent header;
     * what the event causes is traced under it (the trace goes on through the next hop).
     */
    private InboundEvent traced(InboundEvent event, ConsumerRecord<String, String> record, List<Span> spans) {
        if (event.traceparent() == null) {
            return event;
        }
        io.opentelemetry.context.Context parent = W3CTraceContextPropagator.getInstance()
                .extract(io.opentelemetry.context.Context.root(), event.traceparent(), OutboxRelay.TRACEPARENT);
        Span span = tracer.spanBuilder(record.topic() + " process").setParent(parent).setSpanKind(SpanKind.CONSUMER)
                .setAttribute("messaging.system", "kafka")
                .setAttribute("messaging.destination.name", record.topic())
                .setAttribute("messaging.operation.type", "process")
                .setAttribute("million.event.type", event.type()).startSpan();
        spans.add(span);
        String own = Outbox.traceparent(span.getSpanContext());
        return own == null ? event : event.tracedAs(own);
    }

    /**
     * One shard's group: retried in place for up to {@code park-after}; if the shard still fails,
     * the group is parked on the retry topic and the shard marked parking (its next groups are
     * parked at once, in order, for twice the longest backoff), so the batch completes and the
     * partitions go on for the other shards. A failure that will not pass splits the group until
     * the event that fails alone is dead-lettered.
     */
    private Uni<Void> applyGroup(int shard, List<EventHandler.Routed<T>> group,
            Map<InboundEvent, ConsumerRecord<String, String>> sources, Context context, boolean retrying) {
        if (!retrying && parking(shard)) {
            return park(shard, group, sources, "shard " + shard + " is parking its events", context);
        }
        Supplier<Uni<Void>> work = () -> transaction(shard, group);
        Uni<Void> attempt = retrying ? Uni.createFrom().deferred(work::get)
                : withRetries(work, context, retry.parkAfter());
        return attempt.onItemOrFailure().transformToUni((ok, failure) -> {
            if (failure == null) {
                if (retrying) {
                    parkedAt.remove(shard);
                }
                return Uni.createFrom().voidItem();
            }
            if (Transient.is(failure)) {
                long since = group.stream().mapToLong(routed -> {
                    long first = RetryTopic.state(sources.get(routed.event())).since();
                    return first == 0 ? System.currentTimeMillis() : first;
                }).min().orElse(System.currentTimeMillis());
                if (System.currentTimeMillis() - since >= retry.bound().toMillis()) {
                    return deadLetter(letters(group, sources, "still failing after " + retry.bound()
                            + " of retries: " + failure, failure), context);
                }
                return park(shard, group, sources, failure, context);
            }
            if (group.size() == 1) {
                return deadLetter(letters(group, sources, "cannot be applied: " + failure, failure), context);
            }
            // Not a failure that passes: find the event(s) that cannot apply, one by one.
            LOG.warnf("%s: a group of %d events on shard %d failed (%s); applying them one by one",
                    handler.name(), group.size(), shard, failure.toString());
            Uni<Void> each = Uni.createFrom().voidItem();
            for (EventHandler.Routed<T> routed : group) {
                each = each.chain(() -> applyGroup(shard, List.of(routed), sources, context, retrying));
            }
            return each;
        });
    }

    private boolean parking(int shard) {
        Long at = parkedAt.get(shard);
        return at != null && System.currentTimeMillis() - at < 2 * retry.maxBackoff().toMillis();
    }

    private Uni<Void> park(int shard, List<EventHandler.Routed<T>> group,
            Map<InboundEvent, ConsumerRecord<String, String>> sources, Object why, Context context) {
        if (!parking(shard)) {
            LOG.warnf("%s: shard %d keeps failing (%s): its events wait on %s", handler.name(), shard, why,
                    retryTopic.topic());
        }
        parkedAt.put(shard, System.currentTimeMillis());
        List<ConsumerRecord<String, String>> records = group.stream().map(routed -> sources.get(routed.event()))
                .distinct().toList();
        Throwable reason = why instanceof Throwable failure ? failure : new IllegalStateException(String.valueOf(why));
        // Kafka failing is a failure that passes: the batch waits for it (bounded), then fails whole.
        return withRetries(() -> retryTopic.park(handler.name(), records, reason), context, retry.bound())
                .invoke(() -> parked.increment(records.size()));
    }

    private List<DeadLetters.Letter> letters(List<EventHandler.Routed<T>> group,
            Map<InboundEvent, ConsumerRecord<String, String>> sources, String why, Throwable failure) {
        return group.stream().map(routed -> sources.get(routed.event())).distinct()
                .map(record -> new DeadLetters.Letter(record, new PoisonEvent(why, failure), handler.name())).toList();
    }

    /**
     * Runs {@code work} with retries while it fails for a reason that may pass; dead-letters the
     * group when the bound is over, or at once for a single event that fails for another reason.
     * Fails (for the caller to split the group) on a non-transient failure of several events.
     */
    private Uni<Void> settle(List<EventHandler.Routed<T>> group, Map<InboundEvent, ConsumerRecord<String, String>> sources,
            Context context, Supplier<Uni<Void>> work) {
        return withRetries(work, context, retry.bound()).onFailure(failure -> Transient.is(failure) || group.size() == 1)
                .recoverWithUni(failure -> {
                    String why = Transient.is(failure)
                            ? "still failing after " + retry.bound() + " of retries: " + failure
                            : "cannot be applied: " + failure;
                    return deadLetter(letters(group, sources, why, failure), context);
                });
    }

    private Uni<Void> transaction(int shard, List<EventHandler.Routed<T>> group) {
        UUID[] ids = group.stream().map(routed -> routed.event().id()).toArray(UUID[]::new);
        Short[] buckets = group.stream().map(routed -> (short) ShardIds.bucketOf(routed.key())).toArray(Short[]::new);
        return Shards.guard(shard, shards.pool(shard).withTransaction(tx -> tx.preparedQuery(RECORD_PROCESSED)
                .execute(Tuple.of(handler.name(), ids, buckets))
                .chain(rows -> {
                    Set<UUID> fresh = new HashSet<>();
                    for (Row row : rows) {
                        fresh.add(row.getUUID(0));
                    }
                    duplicates.increment(group.size() - fresh.size());
                    List<EventHandler.Routed<T>> first = group.stream()
                            .filter(routed -> fresh.contains(routed.event().id())).toList();
                    return first.isEmpty() ? Uni.createFrom().item(List.<Outbox.Entry> of())
                            : handler.apply(tx, shard, first).invoke(() -> applied.increment(first.size()));
                })
                .call(entries -> Outbox.write(tx, entries))))
                .invoke(entries -> {
                    if (!entries.isEmpty()) {
                        outbox.committed(shard);
                    }
                })
                .chain(() -> handler.committed(shard, group));
    }

    private Uni<Void> deadLetter(List<DeadLetters.Letter> letters, Context context) {
        if (letters.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        // Kafka failing is a failure that passes: the letters wait for it (the batch holds).
        return withRetries(() -> deadLetters.send(letters), context, retry.bound())
                .invoke(() -> deadLettered.increment(letters.size()));
    }

    private <R> Uni<R> withRetries(Supplier<Uni<R>> work, Context context, Duration bound) {
        Uni<R> attempt = Uni.createFrom().deferred(work::get);
        if (context != null) {
            attempt = attempt.runSubscriptionOn(task -> context.runOnContext(ignored -> task.run()));
        }
        Duration first = retry.firstBackoff();
        return attempt.onFailure(Transient::is).invoke(failure -> {
            retries.increment();
            LOG.debugf("%s: retrying after %s", handler.name(), failure);
        })
                .onFailure(Transient::is).retry().withBackOff(first, retry.maxBackoff()).withJitter(retry.jitter())
                .expireIn(bound.toMillis())
                // Mutiny reports the end of retries around the last failure: keep the cause.
                .onFailure(failure -> failure.getCause() != null && String.valueOf(failure.getMessage())
                        .startsWith("Retries exhausted"))
                .transform(Throwable::getCause);
    }
}
