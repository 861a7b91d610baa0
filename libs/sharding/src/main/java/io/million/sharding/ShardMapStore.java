package io.million.sharding;

import java.time.Duration;

import jakarta.inject.Singleton;

import org.jboss.logging.Logger;

import io.smallrye.mutiny.Uni;
import io.vertx.core.Vertx;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;

/**
 * The live shard map, shared by every replica: one row in {@code million_shard_map} on shard 0
 * (the control shard), seeded from configuration the first time. Each replica re-reads it every
 * {@code million.sharding.map-refresh} and switches to a newer version; a bucket move is the only
 * writer. If shard 0 is down the replica keeps routing with the map it has.
 */
@Singleton
public class ShardMapStore {

    private static final Logger LOG = Logger.getLogger(ShardMapStore.class);
    static final int CONTROL_SHARD = 0;

    private final Shards shards;
    private final ShardingConfig config;
    private final Vertx vertx;

    public ShardMapStore(Shards shards, ShardingConfig config, Vertx vertx) {
        this.shards = shards;
        this.config = config;
        this.vertx = vertx;
    }

    /**
     * Creates the control row if absent, adopts the stored map and starts refreshing it. Answers
     * false when the control shard cannot be reached (the caller holds every shard back until
     * {@link #refresh} succeeds); other failures fail start-up.
     */
    boolean start(Duration timeout) {
        long every = Math.max(100, config.mapRefresh().toMillis());
        vertx.setPeriodic(every, every, id -> refresh().subscribe().with(
                changed -> { },
                failure -> LOG.debugf("shard map refresh failed, keeping version %d: %s", shards.mapVersion(),
                        failure.toString())));
        try {
            load().await().atMost(timeout);
        } catch (RuntimeException e) {
            if (!ShardFailures.isUnavailable(e)) {
                throw e;
            }
            LOG.warnf("the control shard %d is unreachable: the live shard map is unknown (%s)", CONTROL_SHARD,
                    e.toString());
            return false;
        }
        LOG.infof("shard map version %d: %s", shards.mapVersion(), shards.map());
        return true;
    }

    /** Creates the control row if absent and adopts the stored map. */
    Uni<Void> load() {
        Pool control = ShardMigrations.pool(CONTROL_SHARD);
        return control.query("create table if not exists million_shard_map ("
                + "id smallint primary key check (id = 1), spec text not null, version bigint not null, "
                + "moving boolean not null default false)").execute()
                .chain(() -> control.preparedQuery("insert into million_shard_map (id, spec, version) "
                        + "values (1, $1, 1) on conflict (id) do nothing").execute(Tuple.of(shards.map().spec())))
                .chain(this::refresh)
                .replaceWithVoid();
    }

    /** Reads the stored map; adopts it when newer. */
    Uni<Boolean> refresh() {
        return ShardMigrations.pool(CONTROL_SHARD).query("select spec, version from million_shard_map where id = 1")
                .execute().map(rows -> {
                    for (Row row : rows) {
                        ShardMap stored = ShardMap.parse(row.getString(0), shards.count());
                        if (shards.useMap(stored, row.getLong(1))) {
                            LOG.infof("now routing with shard map version %d: %s", row.getLong(1), stored);
                            return true;
                        }
                    }
                    return false;
                });
    }
}
