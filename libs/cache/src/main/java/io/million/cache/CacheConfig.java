package io.million.cache;

import java.time.Duration;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** Tunables of the cache tiers, under {@code million.cache}. */
@ConfigMapping(prefix = "million.cache")
public interface CacheConfig {

    /** Off: every read goes to the shard (for benchmarks of the storage path, or a Redis outage plan). */
    @WithDefault("true")
    boolean enabled();

    /** Prefix of every Redis key, so several services or versions can share an instance safely. */
    @WithDefault("${quarkus.application.name}:")
    String keyPrefix();

    /** A Redis answer slower than this counts as a failure and the request goes to the shard. */
    @WithDefault("PT0.05S")
    Duration redisTimeout();

    /**
     * How long Redis remembers that a key was invalidated (its generation counter): longer than any
     * load can take (loads are bounded by the shard deadline), so a load that read the old row can
     * never store it after the invalidation.
     */
    @WithDefault("PT10M")
    Duration generationTtl();

    /**
     * How often each replica checks that it still hears invalidations (a ping of its own over the
     * channel, see {@link InvalidationBus}); after three checks unheard it subscribes again and
     * starts its L1 afresh.
     */
    @WithDefault("PT1S")
    Duration invalidationCheck();
}
