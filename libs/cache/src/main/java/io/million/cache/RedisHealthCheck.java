package io.million.cache;

import jakarta.inject.Singleton;

import org.eclipse.microprofile.health.HealthCheckResponse;

import io.quarkus.redis.datasource.ReactiveRedisDataSource;
import io.smallrye.health.api.AsyncHealthCheck;
import io.smallrye.health.api.HealthGroup;
import io.smallrye.mutiny.Uni;

/**
 * Redis in the {@code dependencies} health group ({@code /q/health/group/dependencies} on the
 * management port), deliberately not in readiness: every replica of a service shares its Redis, so
 * failing readiness for it would take all of them out of the load balancer at once and turn a
 * cache outage into a full one. Replaces Quarkus' Redis readiness check
 * ({@code quarkus.redis.health.enabled=false}).
 */
@HealthGroup(RedisHealthCheck.GROUP)
@Singleton
public class RedisHealthCheck implements AsyncHealthCheck {

    public static final String GROUP = "dependencies";
    static final String NAME = "Redis";

    private final ReactiveRedisDataSource redis;
    private final CacheConfig config;
    private final RedisAvailability availability;

    public RedisHealthCheck(ReactiveRedisDataSource redis, CacheConfig config, RedisAvailability availability) {
        this.redis = redis;
        this.config = config;
        this.availability = availability;
    }

    @Override
    public Uni<HealthCheckResponse> call() {
        return redis.execute("PING").ifNoItem().after(config.redisTimeout().multipliedBy(20)).fail()
                .map(ignored -> {
                    availability.answered();
                    return HealthCheckResponse.named(NAME).up().build();
                })
                .onFailure().recoverWithItem(failure -> {
                    availability.failed("ping", "-", failure);
                    return HealthCheckResponse.named(NAME).down().withData("error", failure.toString()).build();
                });
    }
}
