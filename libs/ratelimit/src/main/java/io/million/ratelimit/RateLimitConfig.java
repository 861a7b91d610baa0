package io.million.ratelimit;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/**
 * Rate limits as data, under {@code million.ratelimit}: each policy names the requests it covers,
 * the key it counts by, its algorithm, quota and window, how it shares its count across replicas
 * and what it does while Redis is down. Defaults live in libs/ratelimit's
 * microprofile-config.properties; a service or Helm values override any key.
 */
@ConfigMapping(prefix = "million.ratelimit")
public interface RateLimitConfig {

    /** One switch for the whole layer: off to measure the bare path (perf/). */
    @WithDefault("true")
    boolean enabled();

    /** How often a replica reconciles its local counts with Redis (hybrid policies). */
    @WithDefault("PT0.025S")
    Duration syncInterval();

    /** Bound on every Redis call of the limiter (a sync or a strict decision). */
    @WithDefault("PT0.25S")
    Duration redisTimeout();

    /** Prefix of the limiter's Redis keys. */
    @WithDefault("ratelimit:")
    String keyPrefix();

    /** Most keys (client addresses, subjects) tracked per replica; the least recent are dropped. */
    @WithDefault("200000")
    int maxKeys();

    Map<String, PolicyConfig> policies();

    interface PolicyConfig {
        /** Requests covered: {@code "METHOD /path"}, a trailing {@code *} matches any rest. */
        List<String> match();

        /** What a request is counted by. */
        @WithDefault("ip")
        Key key();

        @WithDefault("token-bucket")
        Algorithm algorithm();

        /** Requests per window (the token bucket's refill per window). */
        int limit();

        @WithDefault("PT1S")
        Duration window();

        /** Token bucket only: the most requests at once (default: the limit). */
        Optional<Integer> burst();

        /** hybrid: local decisions, reconciled in batches; strict: one atomic Redis call each. */
        @WithDefault("hybrid")
        Mode mode();

        /** While Redis cannot be reached: open admits every request, closed refuses (503). */
        @WithDefault("open")
        RedisDown onRedisDown();
    }

    enum Key {
        IP, SUBJECT
    }

    enum Algorithm {
        TOKEN_BUCKET, SLIDING_WINDOW
    }

    enum Mode {
        HYBRID, STRICT
    }

    enum RedisDown {
        OPEN, CLOSED
    }
}
