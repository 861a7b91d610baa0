package io.million.outbox;

import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;

import jakarta.inject.Singleton;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.million.sharding.Shards;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;

/**
 * The retention of {@code processed_events}: ids older than {@code million.outbox.processed-retention}
 * are deleted, run by the relay's periodic sweep of each shard. Metric:
 * {@code million_events_processed_purged_total}.
 */
@Singleton
public class ProcessedEventsPurge {

    private static final Duration PURGE_EVERY = Duration.ofMinutes(1);
    private static final int PURGE_CHUNK = 10_000;
    private static final int PURGE_CHUNKS = 60;
    private static final Duration SQL_TIMEOUT = Duration.ofSeconds(10);

    private final OutboxConfig config;
    private final long[] lastPurge;
    private final Counter purged;

    public ProcessedEventsPurge(Shards shards, OutboxConfig config, MeterRegistry registry) {
        this.config = config;
        this.lastPurge = new long[shards.count()];
        this.purged = Counter.builder("million.events.processed.purged")
                .description("Processed-event ids deleted after million.outbox.processed-retention").register(registry);
    }

    /**
     * Once a minute per shard, deletes processed-event ids older than the retention, in chunks of
     * {@value #PURGE_CHUNK} (each its own short statement, after the relay's transaction) until
     * none is left, at most {@value #PURGE_CHUNKS} chunks a round: 600,000 rows a minute per shard,
     * far above what the consumers write, so the table stays at the retention's size.
     */
    void ifDue(SqlConnection connection, int shard) {
        long now = System.currentTimeMillis();
        if (now - lastPurge[shard] < PURGE_EVERY.toMillis()) {
            return;
        }
        lastPurge[shard] = now;
        OffsetDateTime before = OffsetDateTime.now(ZoneOffset.UTC).minus(config.processedRetention());
        for (int chunk = 0; chunk < PURGE_CHUNKS; chunk++) {
            int deleted = connection.preparedQuery("delete from processed_events where (consumer, event_id) in "
                    + "(select consumer, event_id from processed_events where processed_at < $1 limit $2)")
                    .execute(Tuple.of(before, PURGE_CHUNK)).await().atMost(SQL_TIMEOUT).rowCount();
            purged.increment(deleted);
            if (deleted < PURGE_CHUNK) {
                break;
            }
        }
    }

}
