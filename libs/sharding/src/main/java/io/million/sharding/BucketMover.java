package io.million.sharding;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import java.util.TreeMap;

import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;

import org.jboss.logging.Logger;

import io.million.web.problem.ProblemException;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Vertx;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.RowSet;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;

/**
 * Moves a range of buckets from the shard that owns it to another while the service keeps
 * serving: copy, fence, catch up, switch the map, clean up.
 * <ol>
 * <li><b>Claim</b> the one move slot on the control row, over the map version this replica
 * routes with ({@link ShardMapStore#claim}): a replica with a stale map is refused (409).</li>
 * <li><b>Copy</b> the range's rows of every bucketed table to the target, while writes go on.</li>
 * <li><b>Fence</b> the range on the source: a trigger on every bucketed table refuses writes to
 * fenced buckets (SQLSTATE {@value #FENCED_STATE}, a 503 with Retry-After for the client). The
 * fence is inserted under {@code LOCK TABLE ... IN SHARE MODE}, which waits for every write
 * already in flight, so none can commit unseen after the catch-up reads.</li>
 * <li><b>Catch up</b>: copy the range again, replacing the target's copy.</li>
 * <li><b>Switch</b>: the live map gives the range to the target, written only over the version
 * the move was planned on; replicas adopt it within {@code map-refresh}; a replica still on the
 * old map hits the fence and its client retries.</li>
 * <li><b>Clean up</b> after two refresh intervals: delete the range from the source, which keeps
 * the fence, so a straggler can never write there again; free the slot.</li>
 * </ol>
 * <b>What moves</b>: every table of the schema with a {@code bucket} column (the rule of a sharded
 * table: rows keyed by something that maps to a bucket carry it), found on the source when the
 * move starts, so a table added later cannot be left behind ({@code processed_events} and
 * {@code stock_holds} included). A table the target lacks refuses the move with a 409.
 * <p>
 * <b>Failures</b>: a failure before the switch lifts the fence and drops the target's copy; the
 * move's progress is on the control row and its mover renews a lease there
 * ({@code million.sharding.move-lease}). If the mover dies (a crash, a kill), another replica (or
 * this one, restarted) takes the stale move over within the lease and finishes it: before the
 * switch it rolls it back (fence lifted, copy dropped), after the switch it cleans the source up.
 * <p>
 * One move at a time across all replicas. Rows are copied in memory, a table at a time: fine for
 * ranges of up to some hundred thousand rows; larger moves should go range by range. Admin-only:
 * exposed as {@code POST /admin/shards/moves}, never through the public entry point.
 */
@Singleton
public class BucketMover {

    private static final Logger LOG = Logger.getLogger(BucketMover.class);
    /** SQLSTATE the fence raises; classified as "shard unavailable" (503, retry). */
    public static final String FENCED_STATE = "MIL01";
    private static final int FENCE_ATTEMPTS = 10;
    /** The mover's own transactions: past the fence, and not bound by the request path's statement_timeout. */
    private static final String BYPASS = "set local million.mover = 'on'; set local statement_timeout = 0";
    private static final String FENCE_FUNCTION = """
            create or replace function million_fence() returns trigger language plpgsql as $$
            declare b integer;
            begin
              if current_setting('million.mover', true) = 'on' then return null; end if;
              if TG_OP = 'DELETE' then b := OLD.bucket; else b := NEW.bucket; end if;
              if exists (select 1 from million_fenced_buckets where b between lo and hi) then
                raise exception 'bucket % is not writable on this shard (moved or moving)', b
                  using errcode = 'MIL01';
              end if;
              return null;
            end $$""";
    /** The tables with a bucket column, and the columns a copy writes (generated ones are computed). */
    private static final String BUCKETED_TABLES = """
            select c.table_name::text, c.column_name::text, c.is_generated = 'NEVER'
            from information_schema.columns c
            join information_schema.tables t on t.table_schema = c.table_schema and t.table_name = c.table_name
            where c.table_schema = current_schema() and t.table_type = 'BASE TABLE'
              and c.table_name in (select table_name from information_schema.columns
                                   where table_schema = current_schema() and column_name = 'bucket')
            order by c.table_name, c.ordinal_position""";

    /** A bucketed table and the columns a copy writes. */
    record Table(String name, List<String> columns) {
    }

    /** What a move did: the new map, and rows copied per table in the final catch-up. */
    public record Result(String map, long version, int source, int target, Map<String, Integer> rows,
            long millis) {
    }

    private final Shards shards;
    private final ShardMapStore maps;
    private final ShardingConfig config;
    private final Vertx vertx;

    public BucketMover(Shards shards, ShardMapStore maps, ShardingConfig config, Vertx vertx) {
        this.shards = shards;
        this.maps = maps;
        this.config = config;
        this.vertx = vertx;
    }

    /** Every replica looks for a move whose mover died, twice per lease. */
    void onStart(@Observes StartupEvent event) {
        long every = Math.max(500, config.moveLease().toMillis() / 2);
        vertx.setPeriodic(every, every, id -> recoverStale().subscribe().with(
                ignored -> { },
                failure -> LOG.debugf("looking for a stale bucket move failed: %s", failure.toString())));
    }

    public Uni<Result> move(int from, int to, int target) {
        long started = System.nanoTime();
        ShardMap current = shards.map();
        long version = shards.mapVersion();
        if (from < 0 || to >= Buckets.COUNT || from > to) {
            throw ProblemException.badInput("from", "must be a bucket range within 0.." + (Buckets.COUNT - 1));
        }
        if (target < 0 || target >= shards.count()) {
            throw ProblemException.badInput("target", "must be a shard 0.." + (shards.count() - 1));
        }
        int source = current.shardOf(from);
        for (int bucket = from; bucket <= to; bucket++) {
            if (current.shardOf(bucket) != source) {
                throw ProblemException.badInput("to", "buckets " + from + ".." + to + " span several shards");
            }
        }
        if (source == target) {
            throw ProblemException.badInput("target", "buckets " + from + ".." + to + " are on shard " + target);
        }
        ShardMap next = current.withRange(from, to, target, shards.count());
        ShardMapStore.Move move = new ShardMapStore.Move(from, to, source, target, version,
                ShardMapStore.Move.COPYING);
        Map<String, Integer> rows = new LinkedHashMap<>();
        LOG.infof("moving buckets %d..%d from shard %d to shard %d (map version %d)", from, to, source, target,
                version);
        return maps.claim(move)
                .chain(() -> beating(move, run(move, next, rows)))
                .map(switched -> {
                    LOG.infof("moved buckets %d..%d to shard %d: map version %d", from, to, target, switched);
                    return new Result(next.spec(), switched, source, target, rows,
                            Duration.ofNanos(System.nanoTime() - started).toMillis());
                });
    }

    private Uni<Long> run(ShardMapStore.Move move, ShardMap next, Map<String, Integer> rows) {
        Pool src = ShardMigrations.pool(move.source());
        Pool dst = ShardMigrations.pool(move.target());
        int from = move.from();
        int to = move.to();
        return tables(src).chain(tables -> tables(dst).invoke(onTarget -> {
            for (Table table : tables) {
                if (onTarget.stream().noneMatch(other -> other.name().equals(table.name()))) {
                    throw ProblemException.conflict("shard " + move.target() + " has no table " + table.name()
                            + " (not migrated?): its rows could not move");
                }
            }
        }).replaceWith(tables))
                .onFailure().call(() -> maps.finish(move))
                .call(tables -> installFence(src, tables)
                        .chain(() -> installFence(dst, tables))
                        .chain(() -> copyAll(src, dst, tables, from, to, rows))
                        .chain(() -> fence(src, tables, from, to))
                        .chain(() -> copyAll(src, dst, tables, from, to, rows))
                        .chain(() -> unfence(dst, from, to))
                        .onFailure().call(failure -> rollBack(move, tables)))
                .chain(tables -> maps.switchTo(move, next)
                        // Not known whether the switch committed: the lease runs out and a takeover decides.
                        .onFailure().invoke(failure -> LOG.warnf("switching the map for buckets %d..%d failed; "
                                + "the move is finished by its takeover after million.sharding.move-lease: %s",
                                from, to, failure.toString()))
                        .call(maps::refresh)
                        .call(() -> Uni.createFrom().voidItem().onItem().delayIt()
                                .by(config.mapRefresh().multipliedBy(2)))
                        .call(() -> cleanup(src, tables, from, to))
                        .call(() -> maps.finish(move)));
    }

    /** Runs {@code work} while renewing the move's lease. */
    private <T> Uni<T> beating(ShardMapStore.Move move, Uni<T> work) {
        long every = Math.max(100, config.moveLease().toMillis() / 3);
        return Uni.createFrom().deferred(() -> {
            long timer = vertx.setPeriodic(every, every, id -> maps.beat(move).subscribe().with(
                    ignored -> { }, failure -> LOG.debugf("bucket move lease not renewed: %s", failure.toString())));
            return work.onTermination().invoke(() -> vertx.cancelTimer(timer));
        });
    }

    /**
     * Takes over a move whose mover died and finishes it: rolled back before the switch, cleaned
     * up after it. One replica wins the takeover; completes with whether it found one.
     */
    public Uni<Boolean> recoverStale() {
        return maps.takeOverStale(config.moveLease()).chain(move -> move == null ? Uni.createFrom().item(false)
                : beating(move, tables(ShardMigrations.pool(move.source())).chain(tables -> {
                    LOG.warnf("taking over the stale move of buckets %d..%d from shard %d to %d (%s)", move.from(),
                            move.to(), move.source(), move.target(), move.phase());
                    // After the switch the target owns the range: writable there (as the mover left it), gone here.
                    return ShardMapStore.Move.SWITCHED.equals(move.phase())
                            ? unfence(ShardMigrations.pool(move.target()), move.from(), move.to())
                                    .chain(() -> cleanup(ShardMigrations.pool(move.source()), tables, move.from(),
                                            move.to()))
                                    .chain(() -> maps.finish(move))
                            : rollBack(move, tables);
                })).invoke(() -> LOG.infof("the stale move of buckets %d..%d is %s", move.from(), move.to(),
                        ShardMapStore.Move.SWITCHED.equals(move.phase()) ? "finished" : "rolled back"))
                        .replaceWith(true));
    }

    /** Before the switch: the source serves the range again, the target's copy goes, the slot is free. */
    private Uni<Void> rollBack(ShardMapStore.Move move, List<Table> tables) {
        return unfence(ShardMigrations.pool(move.source()), move.from(), move.to())
                .chain(() -> deleteRange(ShardMigrations.pool(move.target()), tables, move.from(), move.to()))
                .chain(() -> maps.finish(move));
    }

    /** The bucketed tables of a shard, in name order (sharded tables have no foreign keys between them). */
    private static Uni<List<Table>> tables(Pool pool) {
        return pool.query(BUCKETED_TABLES).execute().map(rows -> {
            Map<String, List<String>> columns = new TreeMap<>();
            for (Row row : rows) {
                List<String> written = columns.computeIfAbsent(row.getString(0), name -> new ArrayList<>());
                if (row.getBoolean(2)) {
                    written.add(row.getString(1));
                }
            }
            return columns.entrySet().stream().map(entry -> new Table(entry.getKey(), List.copyOf(entry.getValue())))
                    .toList();
        });
    }

    private static Uni<Void> installFence(Pool pool, List<Table> tables) {
        return pool.withTransaction(connection -> {
            Uni<?> chain = connection.query("create table if not exists million_fenced_buckets "
                    + "(lo smallint not null, hi smallint not null)").execute()
                    .chain(() -> connection.query(FENCE_FUNCTION).execute());
            for (Table table : tables) {
                chain = chain.chain(() -> connection.query("select 1 from pg_trigger where tgname = 'million_fence' "
                        + "and tgrelid = '" + table.name() + "'::regclass").execute())
                        .chain(found -> found.rowCount() > 0 ? Uni.createFrom().voidItem()
                                : connection.query("create trigger million_fence after insert or update or delete on "
                                        + table.name() + " for each row execute function million_fence()").execute()
                                        .replaceWithVoid());
            }
            return chain.replaceWithVoid();
        });
    }

    /**
     * Fences the range on the source once every write already in flight there has finished. Locking
     * several tables can deadlock with a writer that holds one of them (PostgreSQL then aborts one
     * side: a writer's client gets a 503 and retries); the mover waits at most 2 s per attempt and
     * tries again.
     */
    private static Uni<Void> fence(Pool src, List<Table> tables, int from, int to) {
        String names = String.join(", ", tables.stream().map(Table::name).toList());
        return src.withTransaction(connection -> connection.query("set local lock_timeout = '2s'").execute()
                .chain(() -> connection.query("lock table " + names + " in share mode").execute())
                .chain(() -> connection.preparedQuery("insert into million_fenced_buckets (lo, hi) values ($1, $2)")
                        .execute(Tuple.of((short) from, (short) to)))
                .replaceWithVoid())
                .onFailure().invoke(failure -> LOG.infof("fence attempt failed, retrying: %s", failure.getMessage()))
                .onFailure().retry().withBackOff(Duration.ofMillis(100)).atMost(FENCE_ATTEMPTS);
    }

    /** Removes {@code from..to} from a shard's fenced ranges, splitting a range that covers more. */
    private static Uni<Void> unfence(Pool pool, int from, int to) {
        return pool.withTransaction(connection -> connection.query("create table if not exists million_fenced_buckets "
                + "(lo smallint not null, hi smallint not null)").execute()
                .chain(() -> connection.query("select lo, hi from million_fenced_buckets").execute())
                .chain(rows -> {
                    List<Tuple> kept = new ArrayList<>();
                    for (Row row : rows) {
                        int lo = row.getShort(0);
                        int hi = row.getShort(1);
                        if (lo < from) {
                            kept.add(Tuple.of((short) lo, (short) Math.min(hi, from - 1)));
                        }
                        if (hi > to) {
                            kept.add(Tuple.of((short) Math.max(lo, to + 1), (short) hi));
                        }
                    }
                    Uni<?> reset = connection.query("delete from million_fenced_buckets").execute();
                    return kept.isEmpty() ? reset.replaceWithVoid()
                            : reset.chain(() -> connection.preparedQuery(
                                    "insert into million_fenced_buckets (lo, hi) values ($1, $2)").executeBatch(kept))
                                    .replaceWithVoid();
                }));
    }

    private static Uni<Void> copyAll(Pool src, Pool dst, List<Table> tables, int from, int to,
            Map<String, Integer> rows) {
        Uni<Void> chain = Uni.createFrom().voidItem();
        for (Table table : tables) {
            chain = chain.chain(() -> copy(src, dst, table, from, to))
                    .invoke(count -> rows.put(table.name(), count)).replaceWithVoid();
        }
        return chain;
    }

    /**
     * Replaces the target's rows of the range with the source's, in one target transaction. The
     * target does not own the range yet, so nobody reads or writes them there meanwhile.
     */
    private static Uni<Integer> copy(Pool src, Pool dst, Table table, int from, int to) {
        String columns = String.join(", ", table.columns());
        return src.withTransaction(read -> read.query("set local statement_timeout = 0").execute()
                .chain(() -> read.preparedQuery("select " + columns + " from " + table.name()
                        + " where bucket between $1 and $2").execute(Tuple.of((short) from, (short) to))))
                .chain(found -> dst.withTransaction(connection -> connection.query(BYPASS).execute()
                        .chain(() -> connection.preparedQuery("delete from " + table.name()
                                + " where bucket between $1 and $2").execute(Tuple.of((short) from, (short) to)))
                        .chain(() -> insert(connection, table, found))
                        .replaceWith(found.rowCount())));
    }

    private static Uni<Void> insert(SqlConnection connection, Table table, RowSet<Row> found) {
        if (found.rowCount() == 0) {
            return Uni.createFrom().voidItem();
        }
        StringBuilder sql = new StringBuilder("insert into ").append(table.name()).append(" (")
                .append(String.join(", ", table.columns())).append(") values (");
        for (int i = 1; i <= table.columns().size(); i++) {
            sql.append(i > 1 ? ", " : "").append('$').append(i);
        }
        sql.append(')');
        List<Tuple> batch = new ArrayList<>(found.rowCount());
        for (Row row : found) {
            Tuple values = Tuple.tuple();
            for (int i = 0; i < table.columns().size(); i++) {
                values.addValue(row.getValue(i));
            }
            batch.add(values);
        }
        return connection.preparedQuery(sql.toString()).executeBatch(batch).replaceWithVoid();
    }

    /** Deletes the range's rows of every bucketed table, past the fence. */
    private static Uni<Void> deleteRange(Pool pool, List<Table> tables, int from, int to) {
        return pool.withTransaction(connection -> {
            Uni<?> chain = connection.query(BYPASS).execute();
            for (Table table : tables) {
                chain = chain.chain(() -> connection.preparedQuery("delete from " + table.name()
                        + " where bucket between $1 and $2").execute(Tuple.of((short) from, (short) to)));
            }
            return chain.replaceWithVoid();
        });
    }

    /** After the switch: the source drops the range and keeps its fence. */
    private static Uni<Void> cleanup(Pool src, List<Table> tables, int from, int to) {
        return deleteRange(src, tables, from, to);
    }
}
