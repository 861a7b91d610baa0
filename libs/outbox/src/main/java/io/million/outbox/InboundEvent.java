package io.million.outbox;

import java.nio.charset.StandardCharsets;
import java.util.UUID;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * An event as a consumer receives it from a topic the outbox relay writes: its id and type from
 * the headers, its key and its JSON payload, and the W3C traceparent its effects carry on (the
 * record's, then that of the consumer's span for it: {@link EventConsumer}). Anything unreadable
 * is a {@link PoisonEvent}.
 */
public record InboundEvent(UUID id, String type, String key, String payload, String traceparent) {

    public static InboundEvent of(ConsumerRecord<String, String> record) {
        String id = header(record, OutboxRelay.EVENT_ID);
        String type = header(record, OutboxRelay.EVENT_TYPE);
        if (id == null || type == null || record.value() == null) {
            throw new PoisonEvent("event without " + OutboxRelay.EVENT_ID + ", " + OutboxRelay.EVENT_TYPE
                    + " or payload at " + record.topic() + "-" + record.partition() + "@" + record.offset());
        }
        try {
            return new InboundEvent(UUID.fromString(id), type, record.key(), record.value(),
                    header(record, "traceparent"));
        } catch (IllegalArgumentException e) {
            throw new PoisonEvent("event id '" + id + "' is not a UUID", e);
        }
    }

    /** The same event, its effects traced under {@code span} (a traceparent). */
    public InboundEvent tracedAs(String span) {
        return new InboundEvent(id, type, key, payload, span);
    }

    /** The payload read as {@code type}; an unreadable payload is a {@link PoisonEvent}. */
    public <T> T read(ObjectMapper json, Class<T> shape) {
        try {
            // Tolerant: a producer may add fields before every consumer knows them.
            return json.readerFor(shape).without(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES).readValue(payload);
        } catch (Exception e) {
            throw new PoisonEvent(type + " " + id + " is not a readable " + shape.getSimpleName() + ": "
                    + e.getMessage(), e);
        }
    }

    private static String header(ConsumerRecord<String, String> record, String name) {
        Header header = record.headers().lastHeader(name);
        return header == null || header.value() == null ? null : new String(header.value(), StandardCharsets.UTF_8);
    }
}
