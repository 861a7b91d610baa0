package io.million.cache;

import java.time.Duration;
import java.util.function.Supplier;

import jakarta.inject.Singleton;

import org.jboss.logging.Logger;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.redis.datasource.ReactiveRedisDataSource;
import io.quarkus.redis.datasource.value.ReactiveValueCommands;
import io.quarkus.redis.datasource.value.SetArgs;
import io.smallrye.mutiny.Uni;

/**
 * The L2 tier: this service's own Redis, holding JSON documents under namespaced keys.
 * <p>
 * Contract: Redis is an optimisation, never a dependency of correctness or availability. Every
 * Redis failure or slow answer (over {@code million.cache.redis-timeout}) is logged, counted and
 * treated as a miss (reads) or ignored (writes, evictions), so requests fall through to the shard.
 * Loaded values are cached; a loader answering null (not found) is not.
 */
@Singleton
public class RedisTier {

    private static final Logger LOG = Logger.getLogger(RedisTier.class);

    private final ReactiveValueCommands<String, byte[]> values;
    private final io.quarkus.redis.datasource.keys.ReactiveKeyCommands<String> keys;
    private final ObjectMapper json;
    private final CacheConfig config;
    private final Counter hits;
    private final Counter misses;
    private final Counter errors;
    private final RedisAvailability availability;

    public RedisTier(ReactiveRedisDataSource redis, ObjectMapper json, CacheConfig config, MeterRegistry meters,
            RedisAvailability availability) {
        this.availability = availability;
        this.values = redis.value(String.class, byte[].class);
        this.keys = redis.key(String.class);
        this.json = json;
        this.config = config;
        this.hits = meters.counter("million.cache.requests", "cache", "all", "tier", "l2", "outcome", "hit");
        this.misses = meters.counter("million.cache.requests", "cache", "all", "tier", "l2", "outcome", "miss");
        this.errors = meters.counter("million.cache.requests", "cache", "all", "tier", "l2", "outcome", "error");
    }

    /** Cache-aside read: the cached value, else {@code loader}'s, which is then stored with {@code ttl}. */
    public <T> Uni<T> getOrLoad(String key, Class<T> type, Duration ttl, Supplier<Uni<T>> loader) {
        if (!config.enabled()) {
            return loader.get();
        }
        return get(key, type).onItem().ifNull().switchTo(() -> loader.get()
                .call(loaded -> loaded == null ? Uni.createFrom().voidItem() : put(key, loaded, ttl)));
    }

    /** The cached value, or null on a miss or a Redis failure. */
    public <T> Uni<T> get(String key, Class<T> type) {
        return values.get(namespaced(key))
                .ifNoItem().after(config.redisTimeout()).fail()
                .onItem().transform(bytes -> {
                    availability.answered();
                    if (bytes == null) {
                        misses.increment();
                        return null;
                    }
                    hits.increment();
                    return decode(bytes, type);
                })
                .onFailure().recoverWithItem(failure -> {
                    degrade("get", key, failure);
                    return null;
                });
    }

    public Uni<Void> put(String key, Object value, Duration ttl) {
        byte[] bytes;
        try {
            bytes = json.writeValueAsBytes(value);
        } catch (java.io.IOException e) {
            return Uni.createFrom().failure(new IllegalArgumentException("not serializable: " + key, e));
        }
        return values.set(namespaced(key), bytes, new SetArgs().px(ttl))
                .ifNoItem().after(config.redisTimeout()).fail()
                .invoke(availability::answered)
                .onFailure().recoverWithItem(failure -> {
                    degrade("put", key, failure);
                    return null;
                });
    }

    /** Removes a key after a write, so the next read loads the new version. */
    public Uni<Void> evict(String key) {
        return values.getdel(namespaced(key)).replaceWithVoid()
                .ifNoItem().after(config.redisTimeout()).fail()
                .invoke(availability::answered)
                .onFailure().recoverWithItem(failure -> {
                    degrade("evict", key, failure);
                    return null;
                });
    }

    /** Drops several keys with one command (a consumer's batch); as tolerant as {@link #evict(String)}. */
    public Uni<Void> evict(java.util.Collection<String> many) {
        if (many.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        String[] names = many.stream().map(this::namespaced).toArray(String[]::new);
        return keys.del(names).replaceWithVoid()
                .ifNoItem().after(config.redisTimeout()).fail()
                .invoke(availability::answered)
                .onFailure().recoverWithItem(failure -> {
                    degrade("evict", names.length + " keys", failure);
                    return null;
                });
    }

    /** Raw bytes under {@code key}, or null on a miss or a Redis failure. */
    public Uni<byte[]> getBytes(String key) {
        return values.get(namespaced(key))
                .ifNoItem().after(config.redisTimeout()).fail()
                .invoke(bytes -> {
                    availability.answered();
                    (bytes == null ? misses : hits).increment();
                })
                .onFailure().recoverWithItem(failure -> {
                    degrade("get", key, failure);
                    return null;
                });
    }

    public Uni<Void> putBytes(String key, byte[] bytes, Duration ttl) {
        return values.set(namespaced(key), bytes, new SetArgs().px(ttl))
                .ifNoItem().after(config.redisTimeout()).fail()
                .invoke(availability::answered)
                .onFailure().recoverWithItem(failure -> {
                    degrade("put", key, failure);
                    return null;
                });
    }

    private String namespaced(String key) {
        return config.keyPrefix() + key;
    }

    private <T> T decode(byte[] bytes, Class<T> type) {
        try {
            return json.readValue(bytes, type);
        } catch (java.io.IOException e) {
            // An entry written by an older version of the type: treat as a miss, it will be replaced.
            LOG.debugf("undecodable cache entry for %s: %s", type.getSimpleName(), e.getMessage());
            return null;
        }
    }

    private void degrade(String operation, String key, Throwable failure) {
        errors.increment();
        availability.failed(operation, key, failure);
    }
}
