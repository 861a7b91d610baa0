package io.million.ratelimit;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

import org.jboss.logging.Logger;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.redis.client.Redis;

/**
 * Decides whether a request fits its policy's quota, for a key (a client address, a subject).
 * <p>
 * <b>Hybrid</b> policies decide locally, with no network hop on the request path: each replica
 * keeps a {@link LocalCount} per key and reconciles all keys it touched with Redis every
 * {@code sync-interval}, in one atomic script call per sync ({@link RedisCounts}), so the global
 * quota holds across replicas (to within what the others admit in one interval, which the
 * prediction in {@code LocalCount} mostly covers and the next sync pays back). <b>Strict</b>
 * policies make one atomic Redis call per request. While Redis fails, a policy admits every
 * request (fail-open) or refuses it (fail-closed, {@link Decision#unavailable()}).
 * <p>
 * Written here rather than with Bucket4j: Bucket4j's batching/predicting optimizations run over
 * its own proxy managers (Lettuce, Jedis, Redisson), none of which is the Vert.x Redis client
 * Quarkus gives us, and its asynchronous API would still put a Redis round trip behind each
 * local batch on the event loop; syncing many keys in one script per interval is the part that
 * matters and is small.
 */
public final class RateLimiter implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(RateLimiter.class);
    /** Keys per script call; a larger sync is split. */
    private static final int MAX_KEYS_PER_SYNC = 500;

    private final Map<String, Policy> policies;
    private final RedisCounts counts;
    private final String keyPrefix;
    private final LongSupplier nanoTime;
    private final Cache<String, LocalCount> local;
    private final Queue<LocalCount> toSync = new ConcurrentLinkedQueue<>();
    private final Vertx vertx;
    private final long timer;
    private final long syncIntervalNanos;
    private volatile boolean redisUp = true;
    private volatile boolean syncing;

    private final Map<String, Counter[]> decisions = new java.util.HashMap<>();
    private final Timer syncOk;
    private final Timer syncFailed;

    /** Outcomes of {@code million_ratelimit_decisions_total}, by index. */
    enum Outcome {
        ALLOWED, LIMITED, FAILED_OPEN, FAILED_CLOSED
    }

    public RateLimiter(List<Policy> policies, Vertx vertx, Redis redis, Duration redisTimeout,
            Duration syncInterval, String keyPrefix, int maxKeys, MeterRegistry metrics, LongSupplier nanoTime) {
        this.policies = new java.util.LinkedHashMap<>();
        for (Policy policy : policies) {
            this.policies.put(policy.name(), policy);
            Counter[] byOutcome = new Counter[Outcome.values().length];
            for (Outcome outcome : Outcome.values()) {
                byOutcome[outcome.ordinal()] = Counter.builder("million.ratelimit.decisions")
                        .description("Rate limit decisions by policy and outcome")
                        .tag("policy", policy.name()).tag("outcome", outcome.name().toLowerCase())
                        .register(metrics);
            }
            decisions.put(policy.name(), byOutcome);
        }
        this.counts = new RedisCounts(redis, redisTimeout);
        this.keyPrefix = keyPrefix;
        this.nanoTime = nanoTime;
        long longestWindow = policies.stream().mapToLong(Policy::windowNanos).max().orElse(1);
        this.local = Caffeine.newBuilder().maximumSize(maxKeys)
                .expireAfterAccess(Math.max(TimeUnit.SECONDS.toNanos(10), 4 * longestWindow), TimeUnit.NANOSECONDS)
                .build();
        this.syncOk = Timer.builder("million.ratelimit.sync").description("Reconciliations of local counts with Redis")
                .tag("outcome", "ok").register(metrics);
        this.syncFailed = Timer.builder("million.ratelimit.sync")
                .description("Reconciliations of local counts with Redis").tag("outcome", "failed")
                .register(metrics);
        this.vertx = vertx;
        this.syncIntervalNanos = syncInterval.toNanos();
        boolean anyHybrid = policies.stream().anyMatch(p -> p.mode() == RateLimitConfig.Mode.HYBRID);
        this.timer = anyHybrid ? vertx.setPeriodic(Math.max(1, syncInterval.toMillis()), id -> sync()) : -1;
    }

    public Iterable<Policy> policies() {
        return policies.values();
    }

    /** The prefix of this limiter's Redis keys (replicas of one service share it). */
    public String keyPrefix() {
        return keyPrefix;
    }

    /** Whether the last exchange with Redis succeeded. */
    public boolean redisUp() {
        return redisUp;
    }

    /**
     * A hybrid policy's decision, made locally at once (never {@code null}). For a strict policy
     * use {@link #decide}.
     */
    public Decision tryLocal(Policy policy, String key) {
        if (!redisUp) {
            return failed(policy);
        }
        long now = nanoTime.getAsLong();
        LocalCount count = local.get(policy.name() + ':' + key,
                k -> new LocalCount(policy, keyPrefix + policy.name() + ':' + key, now, syncIntervalNanos));
        Decision decision = count.tryAcquire(now);
        if (count.markQueued()) {
            toSync.add(count);
        }
        record(decision);
        return decision;
    }

    /** Any policy's decision: hybrid at once, strict after its Redis call. */
    public Uni<Decision> decide(Policy policy, String key) {
        if (policy.mode() == RateLimitConfig.Mode.HYBRID) {
            return Uni.createFrom().item(tryLocal(policy, key));
        }
        return counts.apply(List.of(policy), List.of(keyPrefix + policy.name() + ':' + key), new long[] { -1 })
                .map(states -> {
                    redisUp = true;
                    RedisCounts.State state = states.get(0);
                    Decision decision = strictDecision(policy, state);
                    record(decision);
                    return decision;
                })
                .onFailure().recoverWithItem(failure -> {
                    LOG.debugf("strict rate limit %s: Redis failed: %s", policy.name(), failure.toString());
                    return failed(policy);
                });
    }

    /** Sends every count touched since the last sync, in script calls of up to 500 keys. */
    public Uni<Void> syncNow() {
        List<LocalCount> batch = new ArrayList<>();
        for (LocalCount count; batch.size() < MAX_KEYS_PER_SYNC && (count = toSync.poll()) != null;) {
            batch.add(count);
        }
        if (batch.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        List<Policy> batchPolicies = new ArrayList<>(batch.size());
        List<String> keys = new ArrayList<>(batch.size());
        long[] deltas = new long[batch.size()];
        for (int i = 0; i < batch.size(); i++) {
            LocalCount count = batch.get(i);
            batchPolicies.add(count.policy);
            keys.add(count.redisKey);
            deltas[i] = count.beginSync();
        }
        long started = nanoTime.getAsLong();
        return counts.apply(batchPolicies, keys, deltas).map(states -> {
            long now = nanoTime.getAsLong();
            for (int i = 0; i < batch.size(); i++) {
                RedisCounts.State state = states.get(i);
                batch.get(i).synced(now, state.level(), state.previous(), TimeUnit.MILLISECONDS.toNanos(state.elapsedMillis()));
            }
            syncOk.record(now - started, TimeUnit.NANOSECONDS);
            if (!redisUp) {
                LOG.info("rate limiter: Redis answers again; shared counts resume");
            }
            redisUp = true;
            return batch.size();
        }).onFailure().recoverWithItem(failure -> {
            for (LocalCount count : batch) {
                count.syncFailed();
                if (count.markQueued()) {
                    toSync.add(count);
                }
            }
            syncFailed.record(nanoTime.getAsLong() - started, TimeUnit.NANOSECONDS);
            if (redisUp) {
                LOG.warnf("rate limiter: Redis unavailable (%s); policies fail open or closed as configured",
                        failure.toString());
            }
            redisUp = false;
            return 0;
        }).chain(sent -> sent == MAX_KEYS_PER_SYNC ? syncNow() : Uni.createFrom().voidItem());
    }

    private void sync() {
        if (syncing) {
            return; // the previous sync is still waiting for Redis
        }
        if (toSync.isEmpty() && redisUp) {
            return;
        }
        syncing = true;
        Uni<Void> run = toSync.isEmpty() ? probe() : syncNow();
        run.subscribe().with(ignored -> syncing = false, failure -> syncing = false);
    }

    /** While Redis is down and nothing is queued, an empty call tells when it is back. */
    private Uni<Void> probe() {
        return counts.apply(List.of(), List.of(), new long[0]).map(ignored -> {
            redisUp = true;
            return (Void) null;
        }).onFailure().recoverWithNull();
    }

    private Decision failed(Policy policy) {
        Decision decision = policy.failOpen() ? new Decision(policy, true, policy.limit(), 0, false)
                : Decision.unavailable(policy);
        decisions.get(policy.name())[(policy.failOpen() ? Outcome.FAILED_OPEN : Outcome.FAILED_CLOSED).ordinal()]
                .increment();
        return decision;
    }

    private void record(Decision decision) {
        decisions.get(decision.policy().name())[(decision.allowed() ? Outcome.ALLOWED : Outcome.LIMITED).ordinal()]
                .increment();
    }

    private static Decision strictDecision(Policy policy, RedisCounts.State state) {
        double remaining;
        if (policy.algorithm() == RateLimitConfig.Algorithm.TOKEN_BUCKET) {
            remaining = state.level();
        } else {
            double window = Math.max(1, policy.window().toMillis());
            remaining = policy.limit() - (state.previous() * (window - state.elapsedMillis()) / window + state.level());
        }
        long reset = remaining >= 1 ? 0
                : Math.max(1, (long) Math.ceil(policy.window().toSeconds() / (double) policy.limit()));
        return new Decision(policy, state.allowed(), Math.max(0, (long) Math.floor(remaining)), reset, false);
    }

    @Override
    public void close() {
        if (timer >= 0) {
            vertx.cancelTimer(timer);
        }
    }
}
