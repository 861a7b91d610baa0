package io.million.outbox;

import java.time.Duration;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** Tunables of the outbox and its relay, under {@code million.outbox}. */
@ConfigMapping(prefix = "million.outbox")
public interface OutboxConfig {

    /** Whether this replica runs a relay. Every replica may: shards are claimed one relay at a time. */
    @WithDefault("true")
    boolean relay();

    /** Rows published per shard per round. */
    @WithDefault("500")
    int batchSize();

    /**
     * How often the relay looks at every shard, woken or not (rows written by replicas whose relay
     * is elsewhere, rows left by a failure); a local commit wakes it at once.
     */
    @WithDefault("PT0.1S")
    Duration pollInterval();

    /** How long a woken relay waits for more commits before it publishes: batches over latency. */
    @WithDefault("PT0.005S")
    Duration linger();

    /**
     * How long the relay's Kafka producer waits to fill a batch (linger.ms): the relay already
     * sends a shard's rows together, so this only joins rows of several shards into one request.
     */
    @WithDefault("PT0.002S")
    Duration producerLinger();

    /** Longest wait between attempts while Kafka or a shard fails (doubling from 100 ms). */
    @WithDefault("PT5S")
    Duration maxBackoff();

    /** Longest wait for Kafka to acknowledge a batch; after it the batch is retried later. */
    @WithDefault("PT10S")
    Duration publishTimeout();

    /** How long consumers remember processed event ids: longer than any redelivery can take. */
    @WithDefault("P7D")
    Duration processedRetention();

    /** How consumers retry a failure that may pass (a shard, Redis or Kafka unavailable). */
    Retry retry();

    interface Retry {
        /** First wait; each next one doubles, with jitter. */
        @WithDefault("PT0.1S")
        Duration firstBackoff();

        /** Longest wait between two attempts. */
        @WithDefault("PT10S")
        Duration maxBackoff();

        /** Share of each wait drawn at random, so replicas do not retry in step. */
        @WithDefault("0.5")
        double jitter();

        /**
         * How long a shard's group is retried in place before it is parked on the retry topic
         * ({@code <service>.retry}), so the partitions it came from go on for the other shards.
         */
        @WithDefault("PT5S")
        Duration parkAfter();

        /**
         * How long an event is retried before it is dead-lettered with its last failure as the
         * reason (the shard is then down for longer than a fail-over; replay it from the DLQ).
         */
        @WithDefault("PT5M")
        Duration bound();
    }

    /** Prepended to every topic name on publish (tests use {@code test.}). */
    java.util.Optional<String> topicPrefix();

    default String topic(String name) {
        return topicPrefix().orElse("") + name;
    }
}
