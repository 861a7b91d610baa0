package io.million.sharding;

import java.time.Duration;
import java.util.List;

import jakarta.inject.Singleton;

import org.jboss.logging.Logger;

import io.million.web.problem.ProblemException;
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
 * <p>
 * The same row records the bucket move in progress ({@link Move}): which range, from which map
 * version, how far it got and when its mover last showed it was alive. Every change of the row
 * is one conditional {@code UPDATE}: a move is claimed only over the map version its replica
 * routes with, the map is switched only over that same version, so a replica with a stale map
 * can never write a move over a newer map, and a mover that died is taken over by exactly one
 * replica ({@link #takeOverStale}).
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
        return ShardMigrations.underLock(control, "create table if not exists million_shard_map ("
                + "id smallint primary key check (id = 1), spec text not null, version bigint not null, "
                + "moving boolean not null default false)",
                "alter table million_shard_map "
                        + "add column if not exists move_from smallint, add column if not exists move_to smallint, "
                        + "add column if not exists move_source smallint, "
                        + "add column if not exists move_target smallint, "
                        + "add column if not exists move_version bigint, add column if not exists move_phase text, "
                        + "add column if not exists move_beat timestamptz")
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

    /**
     * A bucket move as the control row records it: buckets {@code from..to} go from {@code source}
     * to {@code target}, planned over map {@code version}; {@code phase} is {@link #COPYING} until
     * the map is switched, then {@link #SWITCHED} until the source is cleaned up.
     */
    public record Move(int from, int to, int source, int target, long version, String phase) {
        public static final String COPYING = "copying";
        public static final String SWITCHED = "switched";

    }

    /**
     * Claims the one move slot for {@code move}, only if no move runs and the stored map is still
     * {@code move.version()}: a 409 problem otherwise, saying which.
     */
    public Uni<Void> claim(Move move) {
        Pool control = ShardMigrations.pool(CONTROL_SHARD);
        return control.preparedQuery("update million_shard_map set moving = true, move_from = $1, move_to = $2, "
                + "move_source = $3, move_target = $4, move_version = $5, move_phase = $6, move_beat = now() "
                + "where id = 1 and not moving and version = $5")
                .execute(Tuple.tuple(List.of((short) move.from(), (short) move.to(), (short) move.source(),
                        (short) move.target(), move.version(), move.phase())))
                .chain(updated -> updated.rowCount() == 1 ? Uni.createFrom().voidItem()
                        : control.query("select moving, version from million_shard_map where id = 1").execute()
                                .call(this::refresh)
                                .map(rows -> {
                                    Row row = rows.iterator().next();
                                    if (row.getBoolean(0)) {
                                        throw ProblemException.conflict("A bucket move is already running");
                                    }
                                    throw ProblemException.conflict("The shard map changed: it is at version "
                                            + row.getLong(1) + ", this move was planned over version "
                                            + move.version() + ". Read GET " + ShardAdminRoutes.PATH
                                            + " and ask again.");
                                }))
                .replaceWithVoid();
    }

    /** The mover of {@code move} is alive: keeps other replicas from taking it over. */
    public Uni<Void> beat(Move move) {
        return ShardMigrations.pool(CONTROL_SHARD).preparedQuery("update million_shard_map set move_beat = now() "
                + "where id = 1 and moving and move_version = $1").execute(Tuple.of(move.version()))
                .replaceWithVoid();
    }

    /**
     * Gives the move's range to its target: writes {@code next} over the version the move was
     * planned on, only while the move still holds the slot. Answers the new version; fails with a
     * 409 problem if the map or the slot changed meanwhile (the move was taken over as stale).
     */
    public Uni<Long> switchTo(Move move, ShardMap next) {
        return ShardMigrations.pool(CONTROL_SHARD).preparedQuery("update million_shard_map set spec = $1, "
                + "version = version + 1, move_phase = $2, move_beat = now() "
                + "where id = 1 and moving and move_version = $3 and version = $3 and move_phase = $4 "
                + "returning version")
                .execute(Tuple.of(next.spec(), Move.SWITCHED, move.version(), Move.COPYING))
                .map(rows -> {
                    if (rows.rowCount() == 0) {
                        throw ProblemException.conflict("The shard map or the move slot changed during the move "
                                + "(taken over as stale?): the map was not switched");
                    }
                    return rows.iterator().next().getLong(0);
                });
    }

    /** Frees the move slot held by {@code move}. */
    public Uni<Void> finish(Move move) {
        return ShardMigrations.pool(CONTROL_SHARD).preparedQuery("update million_shard_map set moving = false, "
                + "move_from = null, move_to = null, move_source = null, move_target = null, move_version = null, "
                + "move_phase = null, move_beat = null where id = 1 and moving and move_version = $1")
                .execute(Tuple.of(move.version())).replaceWithVoid();
    }

    /**
     * The move whose mover has shown no sign of life for {@code lease}, now owned by the caller
     * (its beat renewed in the same statement, so one replica wins); {@code null} if there is none.
     * A slot held without a recorded move (written before moves were recorded) is freed.
     */
    public Uni<Move> takeOverStale(Duration lease) {
        Pool control = ShardMigrations.pool(CONTROL_SHARD);
        return control.preparedQuery("update million_shard_map set move_beat = now() where id = 1 and moving "
                + "and coalesce(move_beat, 'epoch') < now() - make_interval(secs => $1) "
                + "returning move_from, move_to, move_source, move_target, move_version, move_phase")
                .execute(Tuple.of(lease.toMillis() / 1000.0))
                .chain(rows -> {
                    if (rows.rowCount() == 0) {
                        return Uni.createFrom().nullItem();
                    }
                    Row row = rows.iterator().next();
                    if (row.getLong(4) == null) {
                        LOG.warn("freeing a bucket move slot held without a recorded move");
                        return control.query("update million_shard_map set moving = false where id = 1 "
                                + "and move_version is null").execute().replaceWith((Move) null);
                    }
                    return Uni.createFrom().item(new Move(row.getShort(0), row.getShort(1), row.getShort(2),
                            row.getShort(3), row.getLong(4), row.getString(5)));
                });
    }
}
