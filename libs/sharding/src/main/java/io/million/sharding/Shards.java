package io.million.sharding;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.Function;

import jakarta.inject.Singleton;

import org.hibernate.reactive.mutiny.Mutiny;

import io.quarkus.arc.Arc;
import io.quarkus.arc.InstanceHandle;
import io.quarkus.hibernate.orm.PersistenceUnit;
import io.smallrye.mutiny.Uni;

/**
 * The shard router: key or id -> bucket -> shard -> that shard's Hibernate Reactive session
 * factory (persistence unit {@code shard<n>}). Routing depends on the {@link ShardMap} only.
 * Failures that mean "this shard is down" become {@link ShardUnavailableException} (503 with
 * Retry-After) so callers on other shards are unaffected. Thread-safe.
 */
@Singleton
public class Shards {

    public static final String UNIT_PREFIX = "shard";

    private final ShardMap map;
    private final Mutiny.SessionFactory[] factories;
    /** Per shard, where stale-tolerant reads go: its replica's slot, or the primary. */
    private final Mutiny.SessionFactory[] readFactories;

    public Shards(ShardingConfig config) {
        if (config.shards() < 1 || config.shards() > ShardingConfig.MAX_SLOTS) {
            throw new IllegalStateException("million.sharding.shards must be 1.." + ShardingConfig.MAX_SLOTS);
        }
        this.map = config.map().map(spec -> ShardMap.parse(spec, config.shards()))
                .orElseGet(() -> ShardMap.even(config.shards()));
        this.factories = new Mutiny.SessionFactory[config.shards()];
        this.readFactories = new Mutiny.SessionFactory[config.shards()];
        for (int shard = 0; shard < factories.length; shard++) {
            factories[shard] = lookup(shard);
            Integer replicaSlot = config.replica().get(shard);
            if (replicaSlot != null && (replicaSlot < config.shards() || replicaSlot >= ShardingConfig.MAX_SLOTS)) {
                throw new IllegalStateException("million.sharding.replica.\"" + shard + "\"=" + replicaSlot
                        + ": a replica needs a slot of its own, " + config.shards() + ".." + (ShardingConfig.MAX_SLOTS - 1));
            }
            readFactories[shard] = replicaSlot == null ? factories[shard] : lookup(replicaSlot);
        }
    }

    private static Mutiny.SessionFactory lookup(int slot) {
        String unit = UNIT_PREFIX + slot;
        InstanceHandle<Mutiny.SessionFactory> handle = Arc.container().instance(Mutiny.SessionFactory.class,
                new PersistenceUnit.PersistenceUnitLiteral(unit));
        if (!handle.isAvailable()) {
            throw new IllegalStateException("Slot " + slot + " needs persistence unit '" + unit + "': set "
                    + "quarkus.hibernate-orm.\"" + unit + "\".active=true and quarkus.datasource.\"" + unit
                    + "\".active=true with its reactive.url, or lower million.sharding.shards");
        }
        return handle.get();
    }

    public ShardMap map() {
        return map;
    }

    public int count() {
        return factories.length;
    }

    public int shardOfBucket(int bucket) {
        return map.shardOf(bucket);
    }

    public int shardOfId(long id) {
        return map.shardOfId(id);
    }

    /** Runs {@code work} in a transaction on {@code shard}. */
    public <T> Uni<T> inTransaction(int shard, Function<Mutiny.Session, Uni<T>> work) {
        return guard(shard, factories[shard].withTransaction((session, tx) -> work.apply(session)));
    }

    /** Runs {@code work} in a session (no explicit transaction) on {@code shard}'s primary. */
    public <T> Uni<T> inSession(int shard, Function<Mutiny.Session, Uni<T>> work) {
        return guard(shard, factories[shard].withSession(work));
    }

    /**
     * Runs a read that tolerates staleness on {@code shard}'s replica, when it has one (else on its
     * primary). Writes, and reads that must see the caller's own writes, use the primary.
     */
    public <T> Uni<T> inReplicaSession(int shard, Function<Mutiny.Session, Uni<T>> work) {
        return guard(shard, readFactories[shard].withSession(work));
    }

    /**
     * Reads one row by key from the replica; a miss there may only be replication lag, so it is
     * confirmed on the primary (a client that just created the row reads it back).
     */
    public <T> Uni<T> findPreferringReplica(int shard, Class<T> type, Object id) {
        Uni<T> primary = inSession(shard, session -> session.find(type, id));
        if (readFactories[shard] == factories[shard]) {
            return primary;
        }
        return inReplicaSession(shard, session -> session.find(type, id))
                .onItem().ifNull().switchTo(primary);
    }

    /**
     * Scatter-gather: runs {@code query} on every shard (its replica, if any) concurrently and merges the results in
     * {@code order}, keeping the first {@code limit}. Each shard's list must already be sorted by
     * the same order and hold at most {@code limit} items. Fails (503) if any shard is down: a
     * partial listing would silently skip that shard's rows.
     */
    public <T> Uni<List<T>> scatter(Function<Mutiny.Session, Uni<List<T>>> query, Comparator<T> order, int limit) {
        List<Uni<List<T>>> perShard = new ArrayList<>(factories.length);
        for (int shard = 0; shard < factories.length; shard++) {
            perShard.add(inReplicaSession(shard, query));
        }
        return Uni.join().all(perShard).andFailFast().map(lists -> {
            List<T> merged = new ArrayList<>();
            lists.forEach(merged::addAll);
            merged.sort(order);
            return merged.size() > limit ? List.copyOf(merged.subList(0, limit)) : merged;
        });
    }

    private static <T> Uni<T> guard(int shard, Uni<T> work) {
        return work.onFailure(ShardFailures::isUnavailable)
                .transform(failure -> new ShardUnavailableException(shard, failure));
    }
}
