package io.million.cache;

import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;

import org.jboss.logging.Logger;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.redis.datasource.ReactiveRedisDataSource;
import io.quarkus.redis.datasource.pubsub.ReactivePubSubCommands;
import io.quarkus.redis.datasource.pubsub.ReactivePubSubCommands.ReactiveRedisSubscriber;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Vertx;

/**
 * Cross-replica L1 invalidation over the service's Redis pub/sub: a write on one replica drops the
 * key from every replica's L1 within one Redis round trip. Messages are {@code cache|key} on
 * channel {@code <key-prefix>invalidations}.
 *
 * <p>A replica that is not listening misses invalidations, so it must know when it is not:
 * <ul>
 * <li>the subscription's connection ending or failing marks it lost at once;</li>
 * <li>a connection that is open but no longer delivers (Redis restarted behind a proxy, a
 * half-open socket) is found by a heartbeat: every {@code million.cache.invalidation-check} the
 * replica publishes a ping of its own on the channel, and when it has not heard its own ping for
 * three checks the subscription is lost.</li>
 * </ul>
 * A lost subscription is tried again at every check. Each time it is established (at start-up
 * too) every L1 entry and serve-stale copy of this replica is dropped, since any of them may have
 * missed an invalidation meanwhile. While Redis is down writes elsewhere cannot reach this
 * replica: its L1 entries live until their TTL at most, and go at once when Redis is back.
 * Gauge {@code million_cache_invalidations_listening} is 1 while the subscription delivers.
 */
@Singleton
public class InvalidationBus {

    private static final Logger LOG = Logger.getLogger(InvalidationBus.class);
    private static final String PING = "~ping|";
    private static final int MISSED_CHECKS = 3;

    private final ReactivePubSubCommands<String> pubsub;
    private final String channel;
    private final CacheConfig config;
    private final Map<String, Consumer<String>> caches = new ConcurrentHashMap<>();
    private final Map<String, Runnable> flushes = new ConcurrentHashMap<>();
    private final MeterRegistry meters;
    private final RedisAvailability availability;
    private final Vertx vertx;
    private final String ping = PING + UUID.randomUUID();
    private final AtomicBoolean listening = new AtomicBoolean();
    private final AtomicBoolean subscribing = new AtomicBoolean();
    private volatile ReactiveRedisSubscriber subscriber;
    /** Counts subscriptions: an end or failure reported by an older one changes nothing. */
    private final java.util.concurrent.atomic.AtomicLong generation = new java.util.concurrent.atomic.AtomicLong();
    private volatile long pingHeardAt;

    public InvalidationBus(ReactiveRedisDataSource redis, CacheConfig config, MeterRegistry meters,
            RedisAvailability availability, Vertx vertx) {
        this.availability = availability;
        this.pubsub = redis.pubsub(String.class);
        this.channel = config.keyPrefix() + "invalidations";
        this.config = config;
        this.meters = meters;
        this.vertx = vertx;
        Gauge.builder("million.cache.invalidations.listening", listening, state -> state.get() ? 1 : 0)
                .description("1 while this replica hears cross-replica invalidations, 0 while it does not")
                .register(meters);
    }

    /** {@code dropLocal} drops one key of the cache on this replica, {@code dropAll} all of them. */
    void register(String cache, Consumer<String> dropLocal, Runnable dropAll) {
        caches.put(cache, dropLocal);
        flushes.put(cache, dropAll);
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

    /** Whether the subscription delivers (its own heartbeat came back lately). */
    public boolean listening() {
        return listening.get();
    }

    void start(@Observes StartupEvent event) {
        subscribe();
        vertx.setPeriodic(config.invalidationCheck().toMillis(), id -> check());
    }

    private void check() {
        if (!listening.get()) {
            subscribe();
            return;
        }
        if (System.nanoTime() - pingHeardAt > MISSED_CHECKS * config.invalidationCheck().toNanos()) {
            lost(generation.get(), "its heartbeat did not come back for " + MISSED_CHECKS + " checks");
            subscribe();
            return;
        }
        pubsub.publish(channel, ping).ifNoItem().after(config.invalidationCheck()).fail()
                .subscribe().with(ignored -> {
                }, failure -> LOG.debugf("heartbeat on %s not sent: %s", channel, failure.toString()));
    }

    private void subscribe() {
        if (!subscribing.compareAndSet(false, true)) {
            return;
        }
        long attempt = generation.incrementAndGet();
        pubsub.subscribe(channel, this::receive, () -> lost(attempt, "its connection ended"),
                failure -> lost(attempt, "its connection failed: " + failure))
                .ifNoItem().after(config.invalidationCheck().multipliedBy(2)).fail()
                .subscribe().with(established -> {
                    subscriber = established;
                    pingHeardAt = System.nanoTime();
                    listening.set(true);
                    subscribing.set(false);
                    // Whatever this replica holds may have missed an invalidation before now.
                    flushes.values().forEach(Runnable::run);
                    LOG.infof("listening for invalidations on %s; this replica's L1 starts afresh", channel);
                }, failure -> {
                    subscribing.set(false);
                    LOG.debugf("cannot subscribe to %s yet (tried again in %s): %s", channel,
                            config.invalidationCheck(), failure.toString());
                });
    }

    private void lost(long attempt, String why) {
        if (attempt == generation.get() && listening.compareAndSet(true, false)) {
            LOG.warnf("not hearing invalidations on %s (%s): L1 entries live until their TTL until it is back",
                    channel, why);
            ReactiveRedisSubscriber previous = subscriber;
            subscriber = null;
            if (previous != null) {
                previous.unsubscribe().subscribe().with(ignored -> {
                }, failure -> LOG.debugf("unsubscribe from %s: %s", channel, failure.toString()));
            }
        }
    }

    private void receive(String message) {
        if (message.startsWith(PING)) {
            if (message.equals(ping)) {
                pingHeardAt = System.nanoTime();
            }
            return;
        }
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
