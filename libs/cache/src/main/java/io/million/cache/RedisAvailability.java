package io.million.cache;

import java.util.concurrent.atomic.AtomicBoolean;

import jakarta.inject.Singleton;

import org.jboss.logging.Logger;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * Whether this service's Redis answered its last call, as one gauge ({@code million_cache_redis_up})
 * and one log line per change (a WARN when it goes, an INFO when it is back) instead of a line per
 * failed call. Redis down is a degradation, never a reason to leave the load balancer: caches
 * become misses and requests go to the shards (see {@link RedisHealthCheck}).
 */
@Singleton
public class RedisAvailability {

    private static final Logger LOG = Logger.getLogger(RedisAvailability.class);

    private final AtomicBoolean up = new AtomicBoolean(true);

    public RedisAvailability(MeterRegistry meters) {
        Gauge.builder("million.cache.redis.up", up, state -> state.get() ? 1 : 0)
                .description("1 while this service's Redis answers, 0 while caches are bypassed").register(meters);
    }

    public boolean isUp() {
        return up.get();
    }

    /** A call succeeded. */
    public void answered() {
        if (!up.get() && up.compareAndSet(false, true)) {
            LOG.info("Redis answers again: the L2 cache and invalidations are back");
        }
    }

    /** A call failed or timed out; the caller serves without the cache. */
    public void failed(String operation, String key, Throwable failure) {
        if (up.compareAndSet(true, false)) {
            LOG.warnf("Redis unavailable (%s of %s: %s): serving from L1 and the shards until it answers again",
                    operation, key, failure.toString());
        } else {
            LOG.debugf("Redis %s of %s failed: %s", operation, key, failure.toString());
        }
    }
}
