package io.million.cache;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;

import org.jboss.logging.Logger;

import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.redis.datasource.ReactiveRedisDataSource;
import io.quarkus.redis.datasource.pubsub.ReactivePubSubCommands;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Uni;

/**
 * Cross-replica L1 invalidation over the service's Redis pub/sub: a write on one replica drops the
 * key from every replica's L1 within one Redis round trip. Messages are {@code cache|key} on
 * channel {@code <key-prefix>invalidations}. If Redis is down, messages are lost and L1 entries
 * live until their TTL: the TTL bounds staleness either way. Re-subscribes after a failure.
 */
@Singleton
public class InvalidationBus {

    private static final Logger LOG = Logger.getLogger(InvalidationBus.class);
    private static final Duration RESUBSCRIBE = Duration.ofSeconds(5);

    private final ReactivePubSubCommands<String> pubsub;
    private final String channel;
    private final CacheConfig config;
    private final Map<String, Consumer<String>> caches = new ConcurrentHashMap<>();
    private final MeterRegistry meters;
    private final RedisAvailability availability;

    public InvalidationBus(ReactiveRedisDataSource redis, CacheConfig config, MeterRegistry meters,
            RedisAvailability availability) {
        this.availability = availability;
        this.pubsub = redis.pubsub(String.class);
        this.channel = config.keyPrefix() + "invalidations";
        this.config = config;
        this.meters = meters;
    }

    void register(String cache, Consumer<String> dropLocal) {
        caches.put(cache, dropLocal);
    }

    Uni<Void> publish(String cache, String key) {
        // Other replicas keep the key in L1 until its TTL when this is lost (Redis down or slow).
        return pubsub.publish(channel, cache + "|" + key)
                .ifNoItem().after(config.redisTimeout().multipliedBy(4)).fail()
                .invoke(availability::answered)
                .onFailure().recoverWithItem(failure -> {
                    availability.failed("publish of the invalidation", cache + ":" + key, failure);
                    return null;
                });
    }

    void start(@Observes StartupEvent event) {
        subscribe();
    }

    private void subscribe() {
        pubsub.subscribe(channel, this::receive).subscribe().with(
                subscriber -> LOG.debugf("listening for invalidations on %s", channel),
                failure -> {
                    LOG.warnf("cannot subscribe to %s, retrying in %s: %s", channel, RESUBSCRIBE, failure.toString());
                    Uni.createFrom().voidItem().onItem().delayIt().by(RESUBSCRIBE)
                            .subscribe().with(ignored -> subscribe());
                });
    }

    private void receive(String message) {
        int bar = message.indexOf('|');
        if (bar < 0) {
            return;
        }
        String cache = message.substring(0, bar);
        Consumer<String> drop = caches.get(cache);
        if (drop != null) {
            drop.accept(message.substring(bar + 1));
            meters.counter("million.cache.invalidations", "cache", cache, "direction", "received").increment();
        }
    }
}
