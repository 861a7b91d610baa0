package io.million.cache;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

import jakarta.inject.Inject;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.github.benmanes.caffeine.cache.Ticker;

import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.redis.datasource.RedisDataSource;
import io.quarkus.test.junit.QuarkusTest;
import io.smallrye.mutiny.Uni;

/**
 * The two tiers on their own, against the local stack's Redis, with time read from a ticker the
 * test advances (L1 TTLs, the negative TTL and the serve-stale window), so nothing sleeps.
 */
@QuarkusTest
class TieredCacheTest {

    private static final Duration TTL = Duration.ofSeconds(10);
    private static final Duration NEGATIVE_TTL = Duration.ofSeconds(2);
    private static final Duration STALE_FOR = Duration.ofSeconds(30);
    private static final Duration WAIT = Duration.ofSeconds(5);

    @Inject
    RedisTier redis;
    @Inject
    InvalidationBus bus;
    @Inject
    MeterRegistry meters;
    @Inject
    RedisDataSource raw;
    @Inject
    CacheConfig config;

    private final FakeTicker ticker = new FakeTicker();
    private String name;
    private TieredCache cache;

    /** Nanoseconds that move only when the test says so. */
    static final class FakeTicker implements Ticker {
        private final AtomicLong nanos = new AtomicLong(1_000_000_000L);

        @Override
        public long read() {
            return nanos.get();
        }

        void advance(Duration by) {
            nanos.addAndGet(by.toNanos());
        }
    }

    @BeforeEach
    void newCache() {
        // A cache of its own per test: nothing it stores in Redis can meet another test's keys.
        name = "t" + UUID.randomUUID().toString().replace("-", "");
        cache = new TieredCache(new TieredCache.Settings(name, 1_000, TTL, 0.1, NEGATIVE_TTL, Duration.ofMinutes(10),
                STALE_FOR), redis, bus, meters, ticker);
    }

    private static Representation version(int v) {
        return new Representation(("{\"v\":" + v + "}").getBytes(StandardCharsets.UTF_8), "\"" + v + "\"",
                Instant.ofEpochSecond(1_700_000_000L + v), "p" + v);
    }

    private static Supplier<Uni<Representation>> counting(AtomicInteger loads, Representation answer) {
        return () -> {
            loads.incrementAndGet();
            return Uni.createFrom().item(answer);
        };
    }

    private static Supplier<Uni<Representation>> failing(AtomicInteger loads) {
        return () -> {
            loads.incrementAndGet();
            return Uni.createFrom().failure(new IllegalStateException("the shard is down"));
        };
    }

    /**
     * The get, once L1 has settled the entry's expiry: Caffeine handles a completed load on the
     * thread that completed it, after answering the callers, so moving time before that would
     * date the entry later than it is.
     */
    private Representation get(String key, Supplier<Uni<Representation>> loader) {
        try {
            return cache.get(key, loader).await().atMost(WAIT);
        } finally {
            settled(key); // a failed load leaves L1 the same way
        }
    }

    private void settled(String key) {
        Awaitility.await().atMost(WAIT).pollInterval(Duration.ofMillis(1))
                .until(() -> cache.expiresIn(key).map(left -> left.compareTo(Duration.ofDays(1)) < 0).orElse(true));
    }

    private byte[] inRedis(String key) {
        return redis.read(name + ":" + key).await().atMost(WAIT).bytes();
    }

    @Test
    void anL1EntryLivesItsTtlThenL2AnswersWithoutALoad() {
        AtomicInteger loads = new AtomicInteger();
        assertEquals("\"1\"", get("a", counting(loads, version(1))).etag());
        assertEquals(1, loads.get());
        assertNotNull(inRedis("a"), "the load is stored in L2");

        ticker.advance(TTL.multipliedBy(85).dividedBy(100)); // within the TTL less its 10 % jitter
        assertNotNull(cache.getIfPresent("a"), "still in L1 before its TTL");

        ticker.advance(TTL.multipliedBy(30).dividedBy(100)); // past the TTL plus its jitter
        assertNull(cache.getIfPresent("a"), "gone from L1 after its TTL");
        Representation fromL2 = get("a", counting(loads, version(2)));
        assertEquals("\"1\"", fromL2.etag(), "L2 still holds version 1");
        assertEquals("{\"v\":1}", new String(fromL2.body(), StandardCharsets.UTF_8));
        assertEquals(Instant.ofEpochSecond(1_700_000_001L), fromL2.lastModified());
        assertEquals("p1", fromL2.surrogateKeys());
        assertEquals(1, loads.get(), "no second load");
    }

    @Test
    void aMissingResourceIsRememberedForTheNegativeTtlOnly() {
        AtomicInteger loads = new AtomicInteger();
        assertTrue(get("gone", counting(loads, Representation.NOT_FOUND)).isNotFound());
        assertSame(Representation.NOT_FOUND, cache.getIfPresent("gone"));
        ticker.advance(NEGATIVE_TTL.dividedBy(2));
        assertSame(Representation.NOT_FOUND, cache.getIfPresent("gone"), "within the negative TTL");
        ticker.advance(NEGATIVE_TTL);
        assertNull(cache.getIfPresent("gone"), "a negative entry lives its own short TTL, not the TTL");
        assertEquals(1, loads.get());
    }

    @Test
    void concurrentMissesOfOneKeyShareOneLoad() throws Exception {
        AtomicInteger loads = new AtomicInteger();
        CompletableFuture<Representation> row = new CompletableFuture<>();
        Supplier<Uni<Representation>> slow = () -> {
            loads.incrementAndGet();
            return Uni.createFrom().completionStage(row);
        };
        List<CompletableFuture<Representation>> readers = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            readers.add(cache.get("k", slow).subscribeAsCompletionStage());
        }
        Awaitility.await().atMost(WAIT).until(() -> loads.get() == 1);
        row.complete(version(7));
        for (CompletableFuture<Representation> reader : readers) {
            assertEquals("\"7\"", reader.get(5, TimeUnit.SECONDS).etag());
        }
        settled("k");
        assertEquals(1, loads.get(), "ten readers, one load");
    }

    @Test
    void aFailedLoadServesTheLastGoodCopyForStaleForThenFails() {
        AtomicInteger loads = new AtomicInteger();
        get("s", counting(loads, version(1)));
        redis.evict(name + ":s").await().atMost(WAIT); // L2 lost it too (Redis restarted, say)

        ticker.advance(TTL.multipliedBy(12).dividedBy(10));
        assertEquals("\"1\"", get("s", failing(loads)).etag(), "the shard is down: the last good copy");
        assertEquals(2, loads.get());

        ticker.advance(TTL.multipliedBy(12).dividedBy(10));
        assertEquals("\"1\"", get("s", failing(loads)).etag(), "still within TTL + stale-for of the good load");

        ticker.advance(STALE_FOR);
        assertThrows(IllegalStateException.class, () -> get("s", failing(loads)),
                "past TTL + stale-for the failure reaches the caller");
    }

    @Test
    void anInvalidatedKeyIsNeverServedStale() {
        AtomicInteger loads = new AtomicInteger();
        get("d", counting(loads, version(1)));
        cache.invalidate("d").await().atMost(WAIT);
        assertNull(cache.getIfPresent("d"));
        assertNull(inRedis("d"), "dropped from L2 too");
        assertThrows(IllegalStateException.class, () -> get("d", failing(loads)),
                "a deleted or changed resource is not served from the serve-stale copy");
    }

    @Test
    void aLoadThatReadBeforeAnInvalidationNeitherStaysNorBecomesTheStaleCopy() {
        AtomicInteger loads = new AtomicInteger();
        CompletableFuture<Representation> oldRow = new CompletableFuture<>();
        CompletableFuture<Representation> reader = cache.get("r", () -> {
            loads.incrementAndGet();
            return Uni.createFrom().completionStage(oldRow);
        }).subscribeAsCompletionStage();
        Awaitility.await().atMost(WAIT).until(() -> loads.get() == 1);
        ticker.advance(Duration.ofMillis(1));
        cache.invalidate("r").await().atMost(WAIT); // a writer committed version 2 meanwhile
        oldRow.complete(version(1));
        assertEquals("\"1\"", reader.join().etag(), "the reader gets what it read");
        settled("r");

        assertNull(cache.getIfPresent("r"), "L1 does not keep it");
        assertNull(inRedis("r"), "L2 refuses it: the key's generation moved");
        assertThrows(IllegalStateException.class, () -> get("r", failing(loads)),
                "nor is it the serve-stale copy");
        assertEquals("\"2\"", get("r", counting(loads, version(2))).etag());
    }

    @Test
    void anUndecodableL2EntryIsAMiss() {
        // Written by another version, or damaged: its first length field claims ~1.7 GB.
        raw.execute("SET", config.keyPrefix() + name + ":u", "garbage");
        AtomicInteger loads = new AtomicInteger();
        assertEquals("\"3\"", get("u", counting(loads, version(3))).etag());
        assertEquals(1, loads.get(), "loaded from the shard instead");
    }
}
