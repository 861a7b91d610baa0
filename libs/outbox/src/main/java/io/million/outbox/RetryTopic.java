package io.million.outbox;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

import jakarta.inject.Singleton;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import io.smallrye.mutiny.Uni;

/**
 * Where a consumer parks the events of a shard that stays unavailable, so the partitions they came
 * from go on for the healthy shards: {@code <service>.retry} (with the topic prefix), read by
 * {@link RetryTopicConsumer}. A parked record is the original (key, value, headers: event id,
 * type, trace) plus {@code retry-*} headers: where it came from, the consumer it is for, the
 * attempt, when it first failed, when it may be tried again and why it failed.
 */
@Singleton
public class RetryTopic {

    static final String PREFIX = "retry-";
    static final String TOPIC = "retry-topic";
    static final String PARTITION = "retry-partition";
    static final String OFFSET = "retry-offset";
    static final String CONSUMER = "retry-consumer";
    static final String ATTEMPT = "retry-attempt";
    static final String SINCE = "retry-since";
    static final String NOT_BEFORE = "retry-not-before";
    static final String REASON = "retry-reason";

    private final DeadLetters kafka;
    private final OutboxConfig.Retry retry;
    private final String topic;

    public RetryTopic(DeadLetters kafka, OutboxConfig config,
            @ConfigProperty(name = "quarkus.application.name") String application) {
        this.kafka = kafka;
        this.retry = config.retry();
        this.topic = config.topic(application + ".retry");
    }

    public String topic() {
        return topic;
    }

    /** The attempt, first failure (epoch ms) and next try of a parked record; 0 for one that never was. */
    public record State(int attempt, long since, long notBefore) {
    }

    static State state(ConsumerRecord<String, String> record) {
        return new State((int) number(record, ATTEMPT), number(record, SINCE), number(record, NOT_BEFORE));
    }

    /** Parks {@code records} for {@code consumer}, each for its next attempt after its backoff. */
    Uni<Void> park(String consumer, List<ConsumerRecord<String, String>> records, Throwable failure) {
        long now = System.currentTimeMillis();
        return kafka.publish(records.stream().map(record -> {
            State state = state(record);
            int attempt = state.attempt() + 1;
            RecordHeaders headers = new RecordHeaders();
            for (Header header : record.headers()) {
                if (!header.key().startsWith(PREFIX)) {
                    headers.add(header);
                }
            }
            boolean parkedBefore = state.attempt() > 0;
            add(headers, TOPIC, parkedBefore ? header(record, TOPIC) : record.topic());
            add(headers, PARTITION, parkedBefore ? header(record, PARTITION) : Integer.toString(record.partition()));
            add(headers, OFFSET, parkedBefore ? header(record, OFFSET) : Long.toString(record.offset()));
            add(headers, CONSUMER, consumer);
            add(headers, ATTEMPT, Integer.toString(attempt));
            add(headers, SINCE, Long.toString(parkedBefore ? state.since() : now));
            add(headers, NOT_BEFORE, Long.toString(now + backoff(attempt).toMillis()));
            add(headers, REASON, String.valueOf(failure));
            return new ProducerRecord<>(topic, null, record.key(), record.value(), headers);
        }).toList());
    }

    /** Exponential from the first backoff, capped, with jitter. */
    Duration backoff(int attempt) {
        long first = retry.firstBackoff().toMillis();
        long capped = Math.min(retry.maxBackoff().toMillis(), first << Math.min(attempt, 20));
        double jitter = 1 - retry.jitter() * ThreadLocalRandom.current().nextDouble();
        return Duration.ofMillis(Math.max(1, (long) (capped * jitter)));
    }

    static String header(ConsumerRecord<String, String> record, String name) {
        Header header = record.headers().lastHeader(name);
        return header == null || header.value() == null ? null : new String(header.value(), StandardCharsets.UTF_8);
    }

    private static long number(ConsumerRecord<String, String> record, String name) {
        String value = header(record, name);
        try {
            return value == null ? 0 : Long.parseLong(value);
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    private static void add(RecordHeaders headers, String name, String value) {
        headers.add(name, value.getBytes(StandardCharsets.UTF_8));
    }
}
