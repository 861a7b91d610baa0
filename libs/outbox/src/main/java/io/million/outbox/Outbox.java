package io.million.outbox;

import java.util.UUID;
import java.util.function.Function;

import jakarta.inject.Singleton;

import org.hibernate.reactive.mutiny.Mutiny;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.million.sharding.Shards;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.smallrye.mutiny.Uni;

/**
 * Writes events into the outbox of a shard inside the caller's transaction: the write and the
 * events it causes commit together or not at all, and {@link OutboxRelay} publishes them to Kafka
 * after the commit (at least once). Events of one key keep their order when they are written by
 * successive transactions. The current trace context is stored with the event so the trace goes on
 * across Kafka.
 */
@Singleton
public class Outbox {

    private final Shards shards;
    private final ObjectMapper json;
    private final OutboxRelay relay;

    public Outbox(Shards shards, ObjectMapper json, OutboxRelay relay) {
        this.shards = shards;
        this.json = json;
        this.relay = relay;
    }

    /**
     * Runs {@code work} in a transaction on {@code shard} ({@link Shards#inTransaction}) and wakes
     * this replica's relay once it has committed, so its events leave without waiting for a poll.
     */
    public <T> Uni<T> inTransaction(int shard, Function<Mutiny.Session, Uni<T>> work) {
        return shards.inTransaction(shard, work).invoke(() -> relay.wake(shard));
    }

    /** Tells this replica's relay that a statement of the caller's own committed events on {@code shard}. */
    public void committed(int shard) {
        relay.wake(shard);
    }

    /**
     * One event as the values of an outbox row ({@link #COLUMNS}), for a caller that writes it with
     * its own SQL: e.g. one {@code with ... insert} statement that writes a row and its event in a
     * single round trip (a single statement is a transaction of its own).
     */
    public record Entry(UUID eventId, String topic, String key, String type, String payload, String traceparent) {
    }

    /** The outbox columns an {@link Entry} fills, in its order. */
    public static final String COLUMNS = "event_id, topic, event_key, event_type, payload, traceparent";

    public Entry entry(String topic, String key, String type, Object event) {
        return entry(topic, key, type, event, traceparent());
    }

    /** As {@link #entry(String, String, String, Object)}, traced under {@code traceparent} (e.g. the consumed event's). */
    public Entry entry(String topic, String key, String type, Object event, String traceparent) {
        try {
            return new Entry(EventIds.next(), topic, key, type, json.writeValueAsString(event), traceparent);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("event " + type + " is not serializable", e);
        }
    }

    /**
     * Adds {@code event} (serialized as JSON) for {@code topic}, keyed by {@code key}, to the
     * session's transaction. Its event id (a random UUID) travels in the Kafka header
     * {@value OutboxRelay#EVENT_ID}, its type in {@value OutboxRelay#EVENT_TYPE}.
     */
    public Uni<UUID> add(Mutiny.Session session, String topic, String key, String type, Object event) {
        Entry entry = entry(topic, key, type, event);
        return session.createNativeQuery("insert into outbox (" + COLUMNS + ") "
                + "values (:id, :topic, :key, :type, :payload, :traceparent)")
                .setParameter("id", entry.eventId())
                .setParameter("topic", entry.topic())
                .setParameter("key", entry.key())
                .setParameter("type", entry.type())
                .setParameter("payload", entry.payload())
                .setParameter("traceparent", entry.traceparent())
                .executeUpdate()
                .replaceWith(entry.eventId());
    }

    private static final String WRITE = "insert into outbox (" + COLUMNS + ") "
            + "select * from unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[])";

    /**
     * Writes {@code entries} into the outbox in one statement, inside {@code tx} (a batch
     * consumer's or a sweeper's transaction on a shard's pool); call {@link #committed} after the
     * commit.
     */
    public static Uni<Void> write(io.vertx.mutiny.sqlclient.SqlConnection tx, java.util.List<Entry> entries) {
        if (entries.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        int n = entries.size();
        UUID[] ids = new UUID[n];
        String[] topics = new String[n];
        String[] keys = new String[n];
        String[] types = new String[n];
        String[] payloads = new String[n];
        String[] traces = new String[n];
        for (int i = 0; i < n; i++) {
            Entry entry = entries.get(i);
            ids[i] = entry.eventId();
            topics[i] = entry.topic();
            keys[i] = entry.key();
            types[i] = entry.type();
            payloads[i] = entry.payload();
            traces[i] = entry.traceparent();
        }
        return tx.preparedQuery(WRITE).execute(io.vertx.mutiny.sqlclient.Tuple.of(ids, topics, keys, types, payloads,
                traces)).replaceWithVoid();
    }

    /** The W3C traceparent of the current span, or null when nothing is traced. */
    static String traceparent() {
        return traceparent(Span.current().getSpanContext());
    }

    static String traceparent(SpanContext span) {
        if (!span.isValid()) {
            return null;
        }
        return "00-" + span.getTraceId() + "-" + span.getSpanId() + "-" + span.getTraceFlags().asHex();
    }
}
