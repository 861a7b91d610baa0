package io.million.catalog.api;

import java.time.Duration;

import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

import io.micrometer.core.instrument.MeterRegistry;
import io.million.cache.InvalidationBus;
import io.million.cache.RedisTier;
import io.million.cache.TieredCache;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** The product representation cache and the HTTP caching policy of public product reads. */
public class ProductCache {

    @ConfigMapping(prefix = "million.catalog.product-cache")
    public interface Config {
        /** L1 entries per replica. */
        @WithDefault("100000")
        long maxEntries();

        /** L1 lifetime; cross-replica invalidation makes writes visible sooner. */
        @WithDefault("PT60S")
        Duration ttl();

        /** +- share of the TTL, against synchronized expiry. */
        @WithDefault("0.1")
        double jitter();

        /** How long a 404 is remembered. */
        @WithDefault("PT5S")
        Duration negativeTtl();

        @WithDefault("PT10M")
        Duration redisTtl();

        /** How long the last good representation may be served while the shard or Redis fails. */
        @WithDefault("PT1H")
        Duration staleFor();

        /** Cache-Control of public product reads, for browsers and CDNs. */
        @WithDefault("public, max-age=60, s-maxage=300, stale-while-revalidate=30, stale-if-error=86400")
        String cacheControl();

        /**
         * Cache-Control of category listings: short, for the edge (purged by the category's
         * surrogate key when one of its products changes); browsers revalidate quickly.
         */
        @WithDefault("public, max-age=5, s-maxage=30, stale-while-revalidate=10")
        String listingCacheControl();
    }

    @Produces
    @Singleton
    TieredCache products(Config config, RedisTier redis, InvalidationBus bus, MeterRegistry meters) {
        return new TieredCache(new TieredCache.Settings("product", config.maxEntries(), config.ttl(), config.jitter(),
                config.negativeTtl(), config.redisTtl(), config.staleFor()), redis, bus, meters);
    }
}
