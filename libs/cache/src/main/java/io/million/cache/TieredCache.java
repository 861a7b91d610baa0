package io.million.cache;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Supplier;

import org.jboss.logging.Logger;

import com.github.benmanes.caffeine.cache.AsyncCache;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import com.github.benmanes.caffeine.cache.Ticker;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Context;
import io.vertx.core.Vertx;

/**
 * Two cache tiers in front of a shard for ready-to-send {@link Representation}s.
 * <ul>
 * <li><b>L1</b>: in-process Caffeine, bounded by entries, TTL with jitter (so keys cached together
 * do not expire together). An L1 hit ({@link #getIfPresent}) touches no network and allocates
 * nothing.</li>
 * <li><b>L2</b>: the service's Redis ({@link RedisTier}); its failures are misses.</li>
 * <li><b>Single flight</b>: concurrent misses of one key on one replica share one load.</li>
 * <li><b>Negative caching</b>: a load answering {@link Representation#NOT_FOUND} is kept for
 * {@code negativeTtl} only.</li>
 * <li><b>Invalidation</b> ({@link #invalidate}) drops L1 and L2 and tells every other replica
 * through {@link InvalidationBus}.</li>
 * <li><b>Serve stale</b>: when a load fails (shard or Redis down), the last good representation
 * is served for up to {@code staleFor} instead of an error.</li>
 * </ul>
 * Thread-safe.
 */
public final class TieredCache {

    private static final Logger LOG = Logger.getLogger(TieredCache.class);

    /** How one cache behaves; see the class comment. */
    public record Settings(String name, long maxEntries, Duration ttl, double jitter, Duration negativeTtl,
            Duration l2Ttl, Duration staleFor) {
    }

    private final Settings settings;
    private final RedisTier redis;
    private final InvalidationBus bus;
    private final AsyncCache<String, Representation> l1;
    /** Last good representation per key, kept past its TTL for serve-stale. */
    private final Cache<String, Representation> lastGood;
    /**
     * When each key was last invalidated here (kept longer than any load can take: loads are
     * bounded by the shard's deadline), so a load that started before its invalidation never
     * becomes the serve-stale copy. L1 needs no such guard: Caffeine drops an invalidated
     * in-flight load's result.
     */
    private final Cache<String, Long> invalidatedAt;
    private volatile long flushedAt;
    private final Counter l1Hits;
    private final Counter l1Misses;
    private final Counter loadsOk;
    private final Counter loadsFailed;
    private final Counter staleServed;
    private final Counter invalidationsSent;
    private final Timer loadTimer;
    /** Every time this cache reads (expiries, serve-stale windows, invalidation order): the system's, or a test's. */
    private final Ticker ticker;

    public TieredCache(Settings settings, RedisTier redis, InvalidationBus bus, MeterRegistry meters) {
        this(settings, redis, bus, meters, Ticker.systemTicker());
    }

    /** As above, reading time from {@code ticker} (tests advance it instead of sleeping). */
    public TieredCache(Settings settings, RedisTier redis, InvalidationBus bus, MeterRegistry meters, Ticker ticker) {
        this.settings = settings;
        this.ticker = ticker;
        this.redis = redis;
        this.bus = bus;
        Counter evictions = meters.counter("million.cache.evictions", "cache", settings.name(), "tier", "l1");
        this.l1 = Caffeine.newBuilder()
                .ticker(ticker)
                .maximumSize(settings.maxEntries())
                .expireAfter(new JitteredExpiry(settings))
                .removalListener((key, value, cause) -> {
                    if (cause.wasEvicted()) {
                        evictions.increment();
                    }
                })
                .buildAsync();
        this.lastGood = Caffeine.newBuilder().ticker(ticker).maximumSize(settings.maxEntries())
                .expireAfterWrite(settings.ttl().plus(settings.staleFor())).build();
        this.flushedAt = ticker.read() - 1;
        this.invalidatedAt = Caffeine.newBuilder().ticker(ticker).maximumSize(settings.maxEntries())
                .expireAfterWrite(Duration.ofMinutes(2)).build();
        this.l1Hits = meters.counter("million.cache.requests", "cache", settings.name(), "tier", "l1", "outcome", "hit");
        this.l1Misses = meters.counter("million.cache.requests", "cache", settings.name(), "tier", "l1", "outcome", "miss");
        this.loadsOk = meters.counter("million.cache.loads", "cache", settings.name(), "outcome", "success");
        this.loadsFailed = meters.counter("million.cache.loads", "cache", settings.name(), "outcome", "failure");
        this.staleServed = meters.counter("million.cache.stale.served", "cache", settings.name());
        this.invalidationsSent = meters.counter("million.cache.invalidations", "cache", settings.name(),
                "direction", "sent");
        this.loadTimer = Timer.builder("million.cache.load").tag("cache", settings.name())
                .publishPercentileHistogram(false).register(meters);
        bus.register(settings.name(), this::dropLocal, this::dropAll);
    }

    public String name() {
        return settings.name();
    }

    /** The hot path: the L1 entry or null, with no I/O. Counts the hit or miss. */
    public Representation getIfPresent(String key) {
        CompletableFuture<Representation> future = l1.getIfPresent(key);
        Representation found = future != null && future.isDone() && !future.isCompletedExceptionally()
                ? future.getNow(null) : null;
        (found != null ? l1Hits : l1Misses).increment();
        return found;
    }

    /**
     * The representation of {@code key}: L1, else L2, else {@code loader} (once per key at a time on
     * this replica). The loader answers {@link Representation#NOT_FOUND} for a missing resource.
     */
    public Uni<Representation> get(String key, Supplier<Uni<Representation>> loader) {
        Context context = Vertx.currentContext();
        CompletableFuture<Representation> future = l1.get(key, (k, executor) -> load(k, loader));
        Uni<Representation> result = Uni.createFrom().completionStage(future);
        // A shared load completes on the loader's thread: continue on this request's own context.
        return context == null ? result : result.emitOn(command -> context.runOnContext(ignored -> command.run()));
    }

    private CompletableFuture<Representation> load(String key, Supplier<Uni<Representation>> loader) {
        long started = ticker.read();
        String l2Key = settings.name() + ":" + key;
        return redis.read(l2Key).chain(entry -> {
            Representation cached = entry.bytes() == null ? null : decode(key, entry.bytes());
            if (cached != null) {
                return Uni.createFrom().item(cached);
            }
            // Stored only if no invalidation of the key came between the read above and this write.
            return loader.get().call(loaded -> redis.putIfUnchanged(l2Key, loaded.encode(),
                    loaded.isNotFound() ? settings.negativeTtl() : settings.l2Ttl(), entry.generation()));
        })
                .invoke(loaded -> {
                    loadsOk.increment();
                    Long invalidated = invalidatedAt.getIfPresent(key);
                    if (!loaded.isNotFound() && started - flushedAt > 0
                            && (invalidated == null || started - invalidated > 0)) {
                        lastGood.put(key, loaded);
                    }
                })
                .onFailure().recoverWithUni(failure -> {
                    loadsFailed.increment();
                    Representation stale = lastGood.getIfPresent(key);
                    if (stale == null) {
                        return Uni.createFrom().failure(failure);
                    }
                    staleServed.increment();
                    LOG.debugf("serving stale %s:%s after %s", settings.name(), key, failure.toString());
                    return Uni.createFrom().item(stale);
                })
                .invoke(() -> loadTimer.record(Duration.ofNanos(ticker.read() - started)))
                .subscribeAsCompletionStage();
    }

    /** An L2 entry this version cannot read (written by another version, or damaged) is a miss. */
    private Representation decode(String key, byte[] bytes) {
        try {
            return Representation.decode(bytes);
        } catch (RuntimeException e) {
            LOG.debugf("undecodable L2 entry %s:%s: %s", settings.name(), key, e.toString());
            return null;
        }
    }

    /**
     * After a write: drops the key from L1 and L2 here and from every other replica's L1, and the
     * serve-stale copy with it (a deleted or changed resource is never served from it).
     */
    public Uni<Void> invalidate(String key) {
        dropLocal(key);
        invalidationsSent.increment();
        return redis.evict(settings.name() + ":" + key).chain(() -> bus.publish(settings.name(), key));
    }

    private void dropLocal(String key) {
        invalidatedAt.put(key, ticker.read());
        l1.synchronous().invalidate(key);
        lastGood.invalidate(key);
    }

    /**
     * How long {@code key} has left in L1, if present. While a load is in flight, and until
     * Caffeine has handled its completion (on the completing thread, just after the callers were
     * answered), it is effectively unbounded; tests wait for a bounded one before moving time.
     */
    java.util.Optional<Duration> expiresIn(String key) {
        return l1.synchronous().policy().expireVariably().flatMap(expiry -> expiry.getExpiresAfter(key));
    }

    /** Every entry of this replica, when it may have missed invalidations (see {@link InvalidationBus}). */
    private void dropAll() {
        flushedAt = ticker.read();
        l1.synchronous().invalidateAll();
        lastGood.invalidateAll();
    }

    /** TTL with +-jitter for found entries; the short negative TTL for NOT_FOUND. */
    private static final class JitteredExpiry implements Expiry<String, Representation> {
        private final long ttlNanos;
        private final long negativeNanos;
        private final double jitter;

        JitteredExpiry(Settings settings) {
            this.ttlNanos = settings.ttl().toNanos();
            this.negativeNanos = settings.negativeTtl().toNanos();
            this.jitter = settings.jitter();
        }

        @Override
        public long expireAfterCreate(String key, Representation value, long currentTime) {
            if (value.isNotFound()) {
                return negativeNanos;
            }
            double factor = 1 + jitter * (ThreadLocalRandom.current().nextDouble() * 2 - 1);
            return (long) (ttlNanos * factor);
        }

        @Override
        public long expireAfterUpdate(String key, Representation value, long currentTime, long currentDuration) {
            return expireAfterCreate(key, value, currentTime);
        }

        @Override
        public long expireAfterRead(String key, Representation value, long currentTime, long currentDuration) {
            return currentDuration;
        }
    }
}
