package io.million.sharding;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import jakarta.inject.Singleton;

import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Readiness;

import io.smallrye.health.api.AsyncHealthCheck;
import io.smallrye.mutiny.Uni;

/**
 * Readiness of the shard set: every shard is pinged; the replica stays ready while at least one
 * shard answers, because a request for a key on a live shard can still be served (the keys of a
 * dead shard get 503s). Taking the replica out of the load balancer for one shard would turn a
 * partial outage into a full one. Replaces the per-datasource check for that reason.
 */
@Readiness
@Singleton
public class ShardsHealthCheck implements AsyncHealthCheck {

    static final String NAME = "PostgreSQL shards";
    private static final Duration PING_TIMEOUT = Duration.ofSeconds(2);

    private final Shards shards;

    public ShardsHealthCheck(Shards shards) {
        this.shards = shards;
    }

    @Override
    public Uni<HealthCheckResponse> call() {
        List<Uni<Boolean>> pings = new ArrayList<>();
        for (int shard = 0; shard < shards.count(); shard++) {
            pings.add(ShardMigrations.pool(shard).query("select 1").execute()
                    .ifNoItem().after(PING_TIMEOUT).fail()
                    .replaceWith(true)
                    .onFailure().recoverWithItem(false));
        }
        return Uni.join().all(pings).andFailFast().map(results -> {
            HealthCheckResponseBuilder builder = HealthCheckResponse.named(NAME);
            int up = 0;
            for (int shard = 0; shard < results.size(); shard++) {
                boolean pending = Shards.isPending(shard);
                boolean ok = results.get(shard) && !pending;
                builder.withData("shard" + shard, ok ? "UP" : pending && results.get(shard) ? "MIGRATING" : "DOWN");
                up += ok ? 1 : 0;
            }
            return builder.status(up > 0).build();
        });
    }
}
