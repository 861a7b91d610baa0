package io.million.sharding;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;

import org.jboss.logging.Logger;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Vertx;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;

/**
 * How far each shard's streaming replica is behind its primary, and whether it may serve reads.
 * <p>
 * A heartbeat, as pt-heartbeat does it: every {@code million.sharding.replica-check} each service
 * replica (process) writes its own row of {@code million_heartbeat} on the primary, a sequence
 * number and {@code now()}, and reads it back from the replica. The lag is the replica's
 * {@code now()} minus the newest of its beats the replica has replayed: unlike the replay
 * timestamp or LSN positions, it grows when the replica stops receiving (a broken link, a paused
 * replay) even while the primary is idle, and WAL without commits does not fool it. It includes up
 * to one check interval.
 * <p>
 * The sequence gives this process <b>read-your-writes</b> on replicas: after a write to a shard
 * commits, that shard's stale-tolerant reads here go to the primary until the replica has replayed
 * a beat sent after the write (and so the write itself: the WAL is ordered), typically within one
 * check interval ({@link Shards#inReplicaSession}). Writes made through other processes are
 * visible on the replica within {@code million.sharding.replica-max-lag}.
 * <p>
 * The replica serves stale-tolerant reads while it answers and lags at most
 * {@code million.sharding.replica-max-lag}; otherwise they go to the primary. Metrics:
 * {@code million_shard_replica_lag_seconds{shard}} (NaN while the replica does not answer) and
 * {@code million_shard_replica_serving{shard}} (1 while reads go there).
 */
@Singleton
public class ReplicaLag {

    private static final Logger LOG = Logger.getLogger(ReplicaLag.class);
    private static final String BEAT = "insert into million_heartbeat (writer, seq, at) values ($1, $2, now()) "
            + "on conflict (writer) do update set seq = excluded.seq, at = excluded.at";
    private static final String CREATE = "create table if not exists million_heartbeat "
            + "(writer uuid primary key, seq bigint not null, at timestamptz not null)";
    private static final String LAG = "select seq, extract(epoch from now() - at)::float8 from million_heartbeat "
            + "where writer = $1";
    /** Rows of processes long gone. */
    private static final String PRUNE = "delete from million_heartbeat where at < now() - interval '1 hour'";
    /** This process's heartbeat row. */
    private final java.util.UUID writer = java.util.UUID.randomUUID();

    private final Shards shards;
    private final ShardingConfig config;
    private final Vertx vertx;
    private final MeterRegistry registry;

    public ReplicaLag(Shards shards, ShardingConfig config, Vertx vertx, MeterRegistry registry) {
        this.shards = shards;
        this.config = config;
        this.vertx = vertx;
        this.registry = registry;
    }

    void onStart(@Observes StartupEvent event) {
        for (int shard = 0; shard < shards.count(); shard++) {
            int slot = shards.replicaSlot(shard);
            if (slot >= 0) {
                watch(shard, slot);
            }
        }
    }

    private void watch(int shard, int slot) {
        AtomicLong lagMillis = new AtomicLong(-1);
        String tag = Integer.toString(shard);
        Gauge.builder("million.shard.replica.lag", lagMillis, value -> value.get() < 0 ? Double.NaN : value.get() / 1000.0)
                .baseUnit("seconds").tag("shard", tag)
                .description("How far the shard's streaming replica is behind its primary (NaN: it does not answer)")
                .register(registry);
        Gauge.builder("million.shard.replica.serving", shards, all -> all.isReplicaServing(shard) ? 1 : 0).tag("shard", tag)
                .description("1 while the shard's stale-tolerant reads go to its replica, 0 while they go to the primary")
                .register(registry);
        Pool primary = ShardMigrations.pool(shard);
        Pool replica = ShardMigrations.pool(slot);
        Duration every = config.replicaCheck();
        Duration maxLag = config.replicaMaxLag();
        AtomicBoolean running = new AtomicBoolean();
        AtomicBoolean created = new AtomicBoolean();
        long period = Math.max(100, every.toMillis());
        vertx.setPeriodic(period, period, id -> {
            if (!running.compareAndSet(false, true)) {
                return;
            }
            Uni<Void> table = created.get() ? Uni.createFrom().voidItem()
                    : primary.query(CREATE).execute().chain(() -> primary.query(PRUNE).execute())
                            .invoke(() -> created.set(true)).replaceWithVoid();
            long seq = shards.nextBeat(shard);
            table.chain(() -> primary.preparedQuery(BEAT).execute(Tuple.of(writer, seq)))
                    .ifNoItem().after(every).fail()
                    // A primary that does not take the beat: the replica falls behind, which is the truth.
                    .onFailure().recoverWithNull()
                    .chain(() -> replica.preparedQuery(LAG).execute(Tuple.of(writer)).ifNoItem().after(every).fail())
                    .subscribe().with(rows -> {
                        Row row = rows.rowCount() == 0 ? null : rows.iterator().next();
                        Double lag = row == null ? null : row.getDouble(1);
                        if (row != null) {
                            shards.replayedBeat(shard, row.getLong(0));
                        }
                        lagMillis.set(lag == null ? -1 : Math.max(0, Math.round(lag * 1000)));
                        boolean serving = lag != null && lag * 1000 <= maxLag.toMillis();
                        report(shard, serving, lag == null ? "has no heartbeat yet" : "lags " + lag + " s");
                        running.set(false);
                    }, failure -> {
                        lagMillis.set(-1);
                        report(shard, false, "does not answer: " + failure);
                        running.set(false);
                    });
        });
    }

    private void report(int shard, boolean serving, String why) {
        if (serving != shards.isReplicaServing(shard)) {
            if (serving) {
                LOG.infof("shard %d's replica serves reads again", shard);
            } else {
                LOG.warnf("shard %d's replica %s: its reads go to the primary", shard, why);
            }
        }
        shards.replicaServing(shard, serving);
    }
}
