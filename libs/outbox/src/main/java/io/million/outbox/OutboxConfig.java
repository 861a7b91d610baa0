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

    /** Longest wait between attempts while Kafka or a shard fails (doubling from 100 ms). */
    @WithDefault("PT5S")
    Duration maxBackoff();

    /** Longest wait for Kafka to acknowledge a batch; after it the batch is retried later. */
    @WithDefault("PT10S")
    Duration publishTimeout();

    /** How long consumers remember processed event ids: longer than any redelivery can take. */
    @WithDefault("P7D")
    Duration processedRetention();

    /** Prepended to every topic name on publish (tests use {@code test.}). */
    java.util.Optional<String> topicPrefix();

    default String topic(String name) {
        return topicPrefix().orElse("") + name;
    }
}
