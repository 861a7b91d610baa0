package io.million.ratelimit;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.redis.client.Redis;

/**
 * The limiter against a real Redis that the test starts (and stops, for the outage cases), with
 * two limiters standing for two replicas. Windows are long (a minute) so that refills during a
 * test are negligible and counts are exact; syncs are driven by the test.
 */
class RateLimiterTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(10);
    private static Vertx vertx;
    private static int port;
    private static Process redisServer;
    private Redis redis;
    private final List<RateLimiter> limiters = new java.util.ArrayList<>();

    @BeforeAll
    static void startRedis() throws IOException {
        vertx = Vertx.vertx();
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        startServer();
    }

    static void startServer() throws IOException {
        redisServer = new ProcessBuilder("redis-server", "--port", Integer.toString(port), "--bind", "127.0.0.1",
                "--save", "", "--appendonly", "no").redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
        await().atMost(TIMEOUT).until(() -> isOpen(port));
    }

    static void stopServer() throws InterruptedException {
        redisServer.destroy();
        redisServer.waitFor();
        await().atMost(TIMEOUT).until(() -> !isOpen(port));
    }

    @AfterAll
    static void stopRedis() throws InterruptedException {
        stopServer();
        vertx.closeAndAwait();
    }

    @AfterEach
    void closeLimiters() {
        limiters.forEach(RateLimiter::close);
        if (redis != null) {
            redis.close();
        }
    }

    private static boolean isOpen(int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 200);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static Policy policy(String name, RateLimitConfig.Algorithm algorithm, int limit, RateLimitConfig.Mode mode,
            boolean failOpen) {
        return new Policy(name, List.of("GET /v1/*"), RateLimitConfig.Key.IP, algorithm, limit, Duration.ofMinutes(1),
                limit, mode, failOpen);
    }

    private RateLimiter limiter(Policy... policies) {
        if (redis == null) {
            redis = Redis.createClient(vertx, "redis://127.0.0.1:" + port);
        }
        // A sync interval of a second against a one-minute window: a key never synced admits 1.
        RateLimiter limiter = new RateLimiter(List.of(policies), vertx, redis, Duration.ofMillis(500),
                Duration.ofSeconds(1), "test-" + System.nanoTime() + ":", 1000, new SimpleMeterRegistry(),
                System::nanoTime);
        limiters.add(limiter);
        return limiter;
    }

    private static int admitted(RateLimiter limiter, Policy policy, String key, int attempts) {
        int allowed = 0;
        for (int i = 0; i < attempts; i++) {
            if (limiter.tryLocal(policy, key).allowed()) {
                allowed++;
            }
        }
        return allowed;
    }

    @Test
    void hybridTokenBucketHoldsTheQuotaAcrossTwoReplicas() {
        Policy policy = policy("tb", RateLimitConfig.Algorithm.TOKEN_BUCKET, 10, RateLimitConfig.Mode.HYBRID, true);
        RateLimiter a = limiter(policy);
        RateLimiter sameKeys = sharing(a, policy);
        int total = admitted(a, policy, "client", 12);
        assertEquals(1, total, "before its first sync a replica admits one interval's share");
        a.syncNow().await().atMost(TIMEOUT);
        total += admitted(a, policy, "client", 12);
        assertEquals(10, total, "after the sync the shared bucket decides");
        a.syncNow().await().atMost(TIMEOUT);
        int other = admitted(sameKeys, policy, "client", 5);
        sameKeys.syncNow().await().atMost(TIMEOUT);
        other += admitted(sameKeys, policy, "client", 5);
        assertTrue(other <= 1, "the other replica sees the bucket empty after one sync: " + other);
        assertFalse(a.tryLocal(policy, "client").allowed());
        assertTrue(a.tryLocal(policy, "another-client").allowed(), "keys are counted apart");
    }

    @Test
    void hybridSlidingWindowHoldsTheQuotaAcrossTwoReplicas() {
        Policy policy = policy("sw", RateLimitConfig.Algorithm.SLIDING_WINDOW, 20, RateLimitConfig.Mode.HYBRID, true);
        RateLimiter a = limiter(policy);
        RateLimiter b = sharing(a, policy);
        int total = 0;
        for (int round = 0; round < 20; round++) {
            total += admitted(a, policy, "client", 3) + admitted(b, policy, "client", 3);
            a.syncNow().await().atMost(TIMEOUT);
            b.syncNow().await().atMost(TIMEOUT);
        }
        // Exact but for what each replica may admit before it learns the other's count.
        assertTrue(total >= 20 && total <= 22, "admitted " + total + " for a quota of 20");
    }

    @Test
    void strictModeDecidesInRedisForEveryRequest() {
        Policy policy = policy("strict", RateLimitConfig.Algorithm.TOKEN_BUCKET, 5, RateLimitConfig.Mode.STRICT, true);
        RateLimiter a = limiter(policy);
        RateLimiter b = sharing(a, policy);
        int allowed = 0;
        for (int i = 0; i < 4; i++) {
            allowed += a.decide(policy, "client").await().atMost(TIMEOUT).allowed() ? 1 : 0;
            allowed += b.decide(policy, "client").await().atMost(TIMEOUT).allowed() ? 1 : 0;
        }
        assertEquals(5, allowed);
        Decision refused = a.decide(policy, "client").await().atMost(TIMEOUT);
        assertFalse(refused.allowed());
        assertEquals(0, refused.remaining());
        assertTrue(refused.resetSeconds() >= 1);
        assertEquals("\"strict\";r=0;t=" + refused.resetSeconds(), refused.header());
    }

    @Test
    void withRedisStoppedOpenPoliciesAdmitAndClosedOnesRefuse() throws Exception {
        Policy open = policy("open", RateLimitConfig.Algorithm.TOKEN_BUCKET, 100, RateLimitConfig.Mode.HYBRID, true);
        Policy closed = policy("closed", RateLimitConfig.Algorithm.SLIDING_WINDOW, 100, RateLimitConfig.Mode.HYBRID,
                false);
        Policy strictOpen = policy("strict-open", RateLimitConfig.Algorithm.TOKEN_BUCKET, 100,
                RateLimitConfig.Mode.STRICT, true);
        Policy strictClosed = policy("strict-closed", RateLimitConfig.Algorithm.TOKEN_BUCKET, 100,
                RateLimitConfig.Mode.STRICT, false);
        RateLimiter limiter = limiter(open, closed, strictOpen, strictClosed);
        assertTrue(limiter.tryLocal(open, "c").allowed());
        assertTrue(limiter.tryLocal(closed, "c").allowed());
        limiter.syncNow().await().atMost(TIMEOUT);
        stopServer();
        try {
            limiter.tryLocal(open, "c");
            limiter.syncNow().await().atMost(TIMEOUT);
            assertFalse(limiter.redisUp());
            for (int i = 0; i < 200; i++) {
                assertTrue(limiter.tryLocal(open, "c").allowed(), "fail-open admits beyond the quota");
            }
            Decision refused = limiter.tryLocal(closed, "c");
            assertFalse(refused.allowed());
            assertTrue(refused.unavailable());
            assertTrue(limiter.decide(strictOpen, "c").await().atMost(TIMEOUT).allowed());
            Decision strictRefused = limiter.decide(strictClosed, "c").await().atMost(TIMEOUT);
            assertTrue(strictRefused.unavailable());
        } finally {
            startServer();
        }
        await().atMost(TIMEOUT).until(limiter::redisUp);
        assertTrue(limiter.tryLocal(closed, "c").allowed(), "back to shared counts once Redis answers");
    }

    /** A second replica: same policies, same Redis, same key prefix as {@code first}. */
    private RateLimiter sharing(RateLimiter first, Policy policy) {
        RateLimiter other = new RateLimiter(List.of(policy), vertx, redis, Duration.ofMillis(500),
                Duration.ofSeconds(1), first.keyPrefix(), 1000, new SimpleMeterRegistry(), System::nanoTime);
        limiters.add(other);
        return other;
    }
}
