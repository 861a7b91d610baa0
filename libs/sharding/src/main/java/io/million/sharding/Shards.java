package io.million.sharding;

import java.util.ArrayList;
import java.util.Comparator;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.function.Function;
import java.util.function.ToLongFunction;

import jakarta.inject.Singleton;

import jakarta.enterprise.util.TypeLiteral;

import org.eclipse.microprofile.faulttolerance.exceptions.FaultToleranceException;
import org.hibernate.reactive.mutiny.Mutiny;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.arc.Arc;
import io.quarkus.arc.InstanceHandle;
import io.quarkus.hibernate.orm.PersistenceUnit;
import io.smallrye.faulttolerance.api.Guard;
import io.smallrye.mutiny.Uni;

/**
 * The shard router: key or id -> bucket -> shard -> that shard's Hibernate Reactive session
 * factory (persistence unit {@code shard<n>}). Routing depends on the {@link ShardMap} only.
 * Failures that mean "this shard is down" become {@link ShardUnavailableException} (503 with
 * Retry-After) so callers on other shards are unaffected.
 * <p>
 * Request-path calls ({@link #inTransaction}, {@link #inSession}, {@link #inReplicaSession}) are
 * bounded per shard by a SmallRye Fault Tolerance guard ({@code million.sharding.calls.*}): a
 * deadline, a bulkhead (calls in flight, then a bounded queue) and a circuit breaker that opens
 * when most recent calls failed as "unavailable", so a shard that hangs costs its callers one
 * deadline until the breaker opens and then a fast 503, while other shards are untouched. The
 * server bounds each statement too ({@code statement_timeout}). Thread-safe.
 */
@Singleton
public class Shards {

    public static final String UNIT_PREFIX = "shard";

    private volatile ShardMap map;
    private volatile long mapVersion;
    private final Mutiny.SessionFactory[] factories;
    /** Per shard, its streaming replica's slot ({@code million.sharding.replica}), or null. */
    private final Mutiny.SessionFactory[] replicaFactories;
    private final int[] replicaSlots;
    /**
     * Per shard with a replica, 1 while stale-tolerant reads may go there: it answers and lags at
     * most {@code million.sharding.replica-max-lag} ({@link ReplicaLag} measures it; a failed
     * replica read clears it at once). 0: reads go to the primary.
     */
    private final java.util.concurrent.atomic.AtomicIntegerArray replicaServing;
    /** Per shard: the last heartbeat sequence {@link ReplicaLag} sent, and the newest the replica has replayed. */
    private final java.util.concurrent.atomic.AtomicLongArray beatSent;
    private final java.util.concurrent.atomic.AtomicLongArray beatReplayed;
    /** Per shard: the replica must have replayed this beat before this process reads there again (its own writes). */
    private final java.util.concurrent.atomic.AtomicLongArray beatNeeded;
    private final Counter[] readsOnReplica;
    private final Counter[] readsOnPrimary;
    private final io.vertx.mutiny.sqlclient.Pool[] pools;
    /** Per shard: deadline, bulkhead and circuit breaker of request-path calls. */
    private final Guard[] guards;
    /** Per shard with a replica: the same bounds for its replica, apart, so a failing replica never opens the primary's breaker. */
    private final Guard[] replicaGuards;
    private static final TypeLiteral<Uni<Object>> UNI = new TypeLiteral<>() {
    };
    /**
     * Per shard, operations that failed because the shard was down or busy (each became a 503 or
     * a retry): {@code million_shard_unavailable_total{shard}}, the shard error rate of the
     * dashboards and alerts. Static because {@link #guard} is, for callers holding only a pool.
     */
    private static final AtomicReferenceArray<Counter> UNAVAILABLE = new AtomicReferenceArray<>(ShardingConfig.MAX_SLOTS);
    /**
     * Per shard, 1 while it may not serve yet: it was down when this replica started, so its
     * migrations are not known to be applied (or the live map was not read). Set and cleared by
     * {@link ShardMigrations}; every call to such a shard is a fast 503, a retry for consumers.
     */
    private static final java.util.concurrent.atomic.AtomicIntegerArray PENDING =
            new java.util.concurrent.atomic.AtomicIntegerArray(ShardingConfig.MAX_SLOTS);

    public Shards(ShardingConfig config, MeterRegistry registry) {
        if (config.shards() < 1 || config.shards() > ShardingConfig.MAX_SLOTS) {
            throw new IllegalStateException("million.sharding.shards must be 1.." + ShardingConfig.MAX_SLOTS);
        }
        this.map = config.map().map(spec -> ShardMap.parse(spec, config.shards()))
                .orElseGet(() -> ShardMap.even(config.shards()));
        this.factories = new Mutiny.SessionFactory[config.shards()];
        this.replicaFactories = new Mutiny.SessionFactory[config.shards()];
        this.replicaSlots = new int[config.shards()];
        this.replicaServing = new java.util.concurrent.atomic.AtomicIntegerArray(config.shards());
        this.readsOnReplica = new Counter[config.shards()];
        this.beatSent = new java.util.concurrent.atomic.AtomicLongArray(config.shards());
        this.beatReplayed = new java.util.concurrent.atomic.AtomicLongArray(config.shards());
        this.beatNeeded = new java.util.concurrent.atomic.AtomicLongArray(config.shards());
        this.readsOnPrimary = new Counter[config.shards()];
        this.pools = new io.vertx.mutiny.sqlclient.Pool[config.shards()];
        this.guards = new Guard[config.shards()];
        this.replicaGuards = new Guard[config.shards()];
        for (int shard = 0; shard < factories.length; shard++) {
            factories[shard] = lookup(shard);
            Integer replicaSlot = config.replica().get(shard);
            if (replicaSlot != null && (replicaSlot < config.shards() || replicaSlot >= ShardingConfig.MAX_SLOTS)) {
                throw new IllegalStateException("million.sharding.replica.\"" + shard + "\"=" + replicaSlot
                        + ": a replica needs a slot of its own, " + config.shards() + ".." + (ShardingConfig.MAX_SLOTS - 1));
            }
            replicaSlots[shard] = replicaSlot == null ? -1 : replicaSlot;
            if (replicaSlot != null) {
                replicaFactories[shard] = lookup(replicaSlot);
                replicaGuards[shard] = callGuard("shard-" + shard + "-replica", config.calls(), null, null);
            }
            String tag = Integer.toString(shard);
            readsOnReplica[shard] = Counter.builder("million.shard.reads").tag("shard", tag).tag("served", "replica")
                    .description("Stale-tolerant reads, by where they were served (a replica lagging or down: the primary)")
                    .register(registry);
            readsOnPrimary[shard] = Counter.builder("million.shard.reads").tag("shard", tag).tag("served", "primary")
                    .description("Stale-tolerant reads, by where they were served (a replica lagging or down: the primary)")
                    .register(registry);
            guards[shard] = callGuard("shard-" + shard, config.calls(), registry, tag);
            UNAVAILABLE.set(shard, Counter.builder("million.shard.unavailable")
                    .description("Operations that failed because their shard was down or busy (503 or retried)")
                    .tag("shard", Integer.toString(shard))
                    .register(registry));
        }
    }

    /** The bounds of one database's request-path calls; its breaker's state is a gauge when {@code registry} is given. */
    private static Guard callGuard(String name, ShardingConfig.Calls calls, MeterRegistry registry, String shardTag) {
        java.util.concurrent.atomic.AtomicInteger open = new java.util.concurrent.atomic.AtomicInteger();
        if (registry != null) {
            io.micrometer.core.instrument.Gauge.builder("million.shard.circuit.open", open,
                    java.util.concurrent.atomic.AtomicInteger::get)
                    .description("1 while the shard's circuit breaker is open or half-open (calls fail fast with 503)")
                    .tag("shard", shardTag).register(registry);
        }
        return Guard.create().withDescription(name)
                .withTimeout().duration(calls.timeout().toMillis(), ChronoUnit.MILLIS).done()
                .withBulkhead().limit(calls.concurrency()).queueSize(calls.queue()).done()
                .withCircuitBreaker().name(name)
                        .requestVolumeThreshold(calls.breakerWindow())
                        .failureRatio(calls.breakerFailureRatio())
                        .delay(calls.breakerDelay().toMillis(), ChronoUnit.MILLIS)
                        .when(failure -> failure instanceof org.eclipse.microprofile.faulttolerance.exceptions.TimeoutException
                                || ShardFailures.isUnavailable(failure))
                        .onStateChange(state -> open.set(state == io.smallrye.faulttolerance.api.CircuitBreakerState.CLOSED ? 0 : 1))
                        .done()
                .build();
    }

    /** {@code work} under the shard's guard; its refusals (open, full, late) are 503s like a down shard. */
    @SuppressWarnings({ "unchecked", "rawtypes" })
    private <T> Uni<T> bounded(int shard, java.util.function.Supplier<Uni<T>> work) {
        if (PENDING.get(shard) == 1) {
            return Uni.createFrom().failure(() -> pendingFailure(shard));
        }
        Uni<T> guarded = (Uni<T>) guards[shard].get((java.util.function.Supplier) work, (TypeLiteral) UNI);
        return guard(shard, guarded.onFailure(FaultToleranceException.class)
                .transform(failure -> new ShardUnavailableException(shard, failure)));
    }

    static void pending(int shard, boolean pending) {
        PENDING.set(shard, pending ? 1 : 0);
    }

    /** True while {@code shard} was down at start and is not migrated yet (it answers 503). */
    public static boolean isPending(int shard) {
        return PENDING.get(shard) == 1;
    }

    private static ShardUnavailableException pendingFailure(int shard) {
        Counter counter = UNAVAILABLE.get(shard);
        if (counter != null) {
            counter.increment();
        }
        return new ShardUnavailableException(shard, new IllegalStateException("shard " + shard
                + " was down when this replica started and is not migrated yet"));
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

    /**
     * Shard {@code shard}'s primary as a plain reactive SQL pool, for work that is not about
     * entities (migrations, the outbox relay). Usable from any thread.
     */
    public io.vertx.mutiny.sqlclient.Pool pool(int shard) {
        if (shard < 0 || shard >= factories.length) {
            throw new IllegalArgumentException("no shard " + shard);
        }
        io.vertx.mutiny.sqlclient.Pool pool = pools[shard];
        if (pool == null) { // looked up once: this is on the hot write path (a racing lookup finds the same bean)
            pool = ShardMigrations.pool(shard);
            pools[shard] = pool;
        }
        return pool;
    }

    public ShardMap map() {
        return map;
    }

    public long mapVersion() {
        return mapVersion;
    }

    /** Adopts a newer live map (from {@link ShardMapStore}); older or equal versions are ignored. */
    synchronized boolean useMap(ShardMap newer, long version) {
        if (version <= mapVersion && mapVersion != 0) {
            return false;
        }
        for (int shard : newer.shards()) {
            if (shard >= factories.length) {
                throw new IllegalStateException("shard map version " + version + " names shard " + shard
                        + " but only " + factories.length + " run (million.sharding.shards)");
            }
        }
        this.map = newer;
        this.mapVersion = version;
        return true;
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
        Uni<T> written = bounded(shard, () -> factories[shard].withTransaction((session, tx) -> work.apply(session)));
        return replicaFactories[shard] == null ? written : written.invoke(() -> wrote(shard));
    }

    /** After a commit on {@code shard}: this process reads it from the primary until the replica has it. */
    private void wrote(int shard) {
        long next = beatSent.get(shard) + 1;
        beatNeeded.accumulateAndGet(shard, next, Math::max);
    }

    long nextBeat(int shard) {
        return beatSent.incrementAndGet(shard);
    }

    void replayedBeat(int shard, long seq) {
        beatReplayed.accumulateAndGet(shard, seq, Math::max);
    }

    /** Runs {@code work} in a session (no explicit transaction) on {@code shard}'s primary. */
    public <T> Uni<T> inSession(int shard, Function<Mutiny.Session, Uni<T>> work) {
        return bounded(shard, () -> factories[shard].withSession(work));
    }

    /**
     * Runs a read that tolerates staleness on {@code shard}'s streaming replica while it serves
     * (it answers and lags at most {@code million.sharding.replica-max-lag}), else on its primary;
     * a replica read that fails is done again on the primary, once. Writes, and reads that must
     * see the caller's own writes, use the primary.
     */
    public <T> Uni<T> inReplicaSession(int shard, Function<Mutiny.Session, Uni<T>> work) {
        if (!replicaServes(shard)) {
            readsOnPrimary[shard].increment();
            return inSession(shard, work);
        }
        return onReplica(shard, work, () -> inSession(shard, work));
    }

    /**
     * Reads one row by key from the primary. Cache loads read here, never from a replica: a
     * replica's older row, loaded just after an invalidation, would be cached past it.
     */
    public <T> Uni<T> find(int shard, Class<T> type, Object id) {
        return inSession(shard, session -> session.find(type, id));
    }

    private boolean replicaServes(int shard) {
        return replicaFactories[shard] != null && replicaServing.get(shard) == 1
                && beatReplayed.get(shard) >= beatNeeded.get(shard);
    }

    /** {@code work} on the replica, under its own guard; if it cannot answer, the replica stops serving and {@code primary} answers. */
    @SuppressWarnings({ "unchecked", "rawtypes" })
    private <T> Uni<T> onReplica(int shard, Function<Mutiny.Session, Uni<T>> work,
            java.util.function.Supplier<Uni<T>> primary) {
        readsOnReplica[shard].increment();
        java.util.function.Supplier<Uni<T>> read = () -> replicaFactories[shard].withSession(work);
        Uni<T> guarded = (Uni<T>) replicaGuards[shard].get((java.util.function.Supplier) read, (TypeLiteral) UNI);
        return guarded.onFailure(failure -> failure instanceof FaultToleranceException
                || ShardFailures.isUnavailable(failure)).recoverWithUni(failure -> {
                    if (replicaServing.getAndSet(shard, 0) == 1) {
                        org.jboss.logging.Logger.getLogger(Shards.class).warnf(
                                "a read on shard %d's replica failed, its reads go to the primary: %s", shard,
                                failure.toString());
                    }
                    readsOnPrimary[shard].increment();
                    return primary.get();
                });
    }

    /** The slot of {@code shard}'s replica, or -1. */
    public int replicaSlot(int shard) {
        return replicaSlots[shard];
    }

    /** Set by {@link ReplicaLag}: whether {@code shard}'s replica may serve stale-tolerant reads. */
    void replicaServing(int shard, boolean serving) {
        replicaServing.set(shard, serving ? 1 : 0);
    }

    /** Whether {@code shard}'s replica answers and lags within bounds (this process's own recent writes aside). */
    public boolean isReplicaServing(int shard) {
        return replicaFactories[shard] != null && replicaServing.get(shard) == 1;
    }

    /**
     * Scatter-gather in key order: runs {@code query} on every shard (its replica, if any)
     * concurrently; each must return its rows sorted by {@code idOf} ascending, at most
     * {@code fetch} of them. Rows a shard holds but does not own under the current map (a bucket
     * range being moved away) are dropped, so no row is listed twice. Fails (503) if any shard is
     * down: a partial listing would silently skip that shard's rows.
     */
    public <T> Uni<Gathered<T>> scatter(Function<Mutiny.Session, Uni<List<T>>> query, ToLongFunction<T> idOf,
            int fetch) {
        ShardMap current = map;
        List<Uni<List<T>>> perShard = new ArrayList<>(factories.length);
        for (int shard = 0; shard < factories.length; shard++) {
            perShard.add(inReplicaSession(shard, query));
        }
        return Uni.join().all(perShard).andFailFast().map(lists -> {
            List<T> merged = new ArrayList<>();
            long boundary = Long.MAX_VALUE;
            boolean filtered = false;
            for (int shard = 0; shard < lists.size(); shard++) {
                List<T> rows = lists.get(shard);
                for (T row : rows) {
                    if (current.shardOfId(idOf.applyAsLong(row)) == shard) {
                        merged.add(row);
                    } else {
                        filtered = true;
                    }
                }
                if (rows.size() >= fetch) {
                    // This shard may hold more rows after its last one: nothing beyond it is known.
                    boundary = Math.min(boundary, idOf.applyAsLong(rows.get(rows.size() - 1)));
                }
            }
            merged.sort(Comparator.comparingLong(idOf));
            if (!filtered) {
                return new Gathered<>(merged.size() > fetch ? List.copyOf(merged.subList(0, fetch)) : merged, null);
            }
            long limit = boundary;
            List<T> known = merged.stream().filter(row -> idOf.applyAsLong(row) <= limit).limit(fetch).toList();
            return new Gathered<>(known, known.size() < fetch && boundary != Long.MAX_VALUE ? boundary : null);
        });
    }

    /**
     * Rows of a scatter, in key order. {@code resumeAfter}, when set, is the key after which the
     * listing goes on even though fewer rows than fetched came back (rows were dropped as foreign).
     */
    public record Gathered<T>(List<T> items, Long resumeAfter) {
    }

    /**
     * Turns the failures of {@code work} on {@code shard} that mean "this shard is down" into
     * {@link ShardUnavailableException}; for work on {@link #pool(int)} outside a session.
     */
    public static <T> Uni<T> guard(int shard, Uni<T> work) {
        if (PENDING.get(shard) == 1) {
            return Uni.createFrom().failure(() -> pendingFailure(shard));
        }
        return work.onFailure(ShardFailures::isUnavailable).transform(failure -> {
            Counter counter = UNAVAILABLE.get(shard);
            if (counter != null) {
                counter.increment();
            }
            return new ShardUnavailableException(shard, failure);
        });
    }
}
