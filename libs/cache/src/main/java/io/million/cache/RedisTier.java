package io.million.cache;

import java.time.Duration;
import java.util.function.Supplier;

import jakarta.inject.Singleton;

import org.jboss.logging.Logger;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.redis.datasource.ReactiveRedisDataSource;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.redis.client.Command;
import io.vertx.mutiny.redis.client.Redis;
import io.vertx.mutiny.redis.client.Request;
import io.vertx.mutiny.redis.client.Response;

/**
 * The L2 tier: this service's own Redis, holding JSON documents under namespaced keys.
 * <p>
 * Contract: Redis is an optimisation, never a dependency of correctness or availability. Every
 * Redis failure or slow answer (over {@code million.cache.redis-timeout}) is logged, counted and
 * treated as a miss (reads) or ignored (writes, evictions), so requests fall through to the shard.
 * Loaded values are cached; a loader answering null (not found) is not.
 * <p>
 * Invalidation is versioned: each key has a generation counter that {@link #evict} bumps in the
 * same script that drops the value, and a load stores its value only if the generation is still
 * the one it read before loading ({@link #putIfUnchanged}, atomic in Redis). A load that read the
 * old row cannot resurrect it after a writer's invalidation. An undecodable entry is a miss.
 */
@Singleton
public class RedisTier {

    private static final Logger LOG = Logger.getLogger(RedisTier.class);

    private final Redis redis;
    private final ObjectMapper json;
    private final CacheConfig config;
    private final Counter hits;
    private final Counter misses;
    private final Counter errors;
    private final RedisAvailability availability;

    public RedisTier(ReactiveRedisDataSource redis, ObjectMapper json, CacheConfig config, MeterRegistry meters,
            RedisAvailability availability) {
        this.availability = availability;
        this.redis = redis.getRedis();
        this.json = json;
        this.config = config;
        this.hits = meters.counter("million.cache.requests", "cache", "all", "tier", "l2", "outcome", "hit");
        this.misses = meters.counter("million.cache.requests", "cache", "all", "tier", "l2", "outcome", "miss");
        this.errors = meters.counter("million.cache.requests", "cache", "all", "tier", "l2", "outcome", "error");
    }

    /**
     * Stores {@code value} only if no invalidation of {@code key} happened since {@code generation}
     * was read, atomically in Redis: a loader that read the old row before a writer's invalidation
     * cannot put it back after it. KEYS: value, generation; ARGV: bytes, ttl ms, generation seen.
     */
    private static final String PUT_IF_UNCHANGED = """
            local now = redis.call('GET', KEYS[2]) or ''
            if now ~= ARGV[3] then return 0 end
            redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
            return 1""";
    /** Drops each value and bumps its generation. KEYS: value1, generation1, ...; ARGV: generation ttl ms. */
    private static final String INVALIDATE = """
            for i = 1, #KEYS, 2 do
              redis.call('DEL', KEYS[i])
              redis.call('INCR', KEYS[i + 1])
              redis.call('PEXPIRE', KEYS[i + 1], ARGV[1])
            end
            return #KEYS / 2""";

    /** What Redis holds for a key: its bytes (null on a miss) and its generation ("" if never invalidated). */
    public record Entry(byte[] bytes, String generation) {
        static final Entry UNAVAILABLE = new Entry(null, null);
    }

    /** Cache-aside read: the cached value, else {@code loader}'s, which is then stored with {@code ttl}. */
    public <T> Uni<T> getOrLoad(String key, Class<T> type, Duration ttl, Supplier<Uni<T>> loader) {
        if (!config.enabled()) {
            return loader.get();
        }
        return read(key).chain(entry -> {
            T cached = entry.bytes() == null ? null : decode(entry.bytes(), type);
            if (cached != null) {
                return Uni.createFrom().item(cached);
            }
            return loader.get().call(loaded -> loaded == null ? Uni.createFrom().voidItem()
                    : putIfUnchanged(key, encode(loaded), ttl, entry.generation()));
        });
    }

    /** The key's entry, with its generation for {@link #putIfUnchanged}; a Redis failure reads as a miss. */
    public Uni<Entry> read(String key) {
        String name = namespaced(key);
        return redis.send(Request.cmd(Command.MGET).arg(name).arg(generationOf(name)))
                .ifNoItem().after(config.redisTimeout()).fail()
                .map(response -> {
                    availability.answered();
                    Response value = response.get(0);
                    Response generation = response.get(1);
                    (value == null ? misses : hits).increment();
                    return new Entry(value == null ? null : value.toBytes(),
                            generation == null ? "" : generation.toString());
                })
                .onFailure().recoverWithItem(failure -> {
                    degrade("get", key, failure);
                    return Entry.UNAVAILABLE;
                });
    }

    /**
     * Stores {@code bytes} unless {@code key} was invalidated after {@code generation} was read
     * (then the next read loads again). Failures are ignored; a {@code null} generation (Redis was
     * unreachable when read) stores nothing.
     */
    public Uni<Void> putIfUnchanged(String key, byte[] bytes, Duration ttl, String generation) {
        if (generation == null) {
            return Uni.createFrom().voidItem();
        }
        String name = namespaced(key);
        Request request = Request.cmd(Command.EVAL).arg(PUT_IF_UNCHANGED).arg(2).arg(name).arg(generationOf(name))
                .arg(bytes).arg(Math.max(1, ttl.toMillis())).arg(generation);
        return redis.send(request).replaceWithVoid()
                .ifNoItem().after(config.redisTimeout()).fail()
                .invoke(availability::answered)
                .onFailure().recoverWithItem(failure -> {
                    degrade("put", key, failure);
                    return null;
                });
    }

    /** Removes a key after a write, so the next read loads the new version, and no older load can store it. */
    public Uni<Void> evict(String key) {
        return evict(java.util.List.of(key));
    }

    /** Invalidates several keys with one command (a consumer's batch); as tolerant as {@link #evict(String)}. */
    public Uni<Void> evict(java.util.Collection<String> many) {
        if (many.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        Request request = Request.cmd(Command.EVAL).arg(INVALIDATE).arg(many.size() * 2);
        for (String key : many) {
            String name = namespaced(key);
            request.arg(name).arg(generationOf(name));
        }
        request.arg(Math.max(1, config.generationTtl().toMillis()));
        return redis.send(request).replaceWithVoid()
                .ifNoItem().after(config.redisTimeout()).fail()
                .invoke(availability::answered)
                .onFailure().recoverWithItem(failure -> {
                    degrade("evict", many.size() + " keys", failure);
                    return null;
                });
    }

    private byte[] encode(Object value) {
        try {
            return json.writeValueAsBytes(value);
        } catch (java.io.IOException e) {
            throw new IllegalArgumentException("not serializable: " + value.getClass().getSimpleName(), e);
        }
    }

    private static String generationOf(String name) {
        return name + "#generation";
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
