package io.million.sharding;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import jakarta.inject.Singleton;

import org.jboss.logging.Logger;

import io.million.web.problem.ProblemException;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.RowSet;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;

/**
 * Moves a range of buckets from the shard that owns it to another while the service keeps
 * serving: copy, fence, catch up, switch the map, clean up.
 * <ol>
 * <li><b>Copy</b> every row of the range to the target (upsert), while writes go on.</li>
 * <li><b>Fence</b> the range on the source: a trigger on every sharded table refuses writes to
 * fenced buckets (SQLSTATE {@value #FENCED_STATE}, a 503 with Retry-After for the client). The
 * fence is inserted under {@code LOCK TABLE ... IN SHARE MODE}, which waits for every write
 * already in flight, so none can commit unseen after the catch-up reads.</li>
 * <li><b>Catch up</b>: copy the range again and delete target rows the source no longer has.</li>
 * <li><b>Switch</b>: the live map ({@link ShardMapStore}) gives the range to the target; replicas
 * adopt it within {@code map-refresh}; a replica still on the old map hits the fence and its
 * client retries.</li>
 * <li><b>Clean up</b> after two refresh intervals: delete the range from the source, which keeps
 * the fence, so a straggler can never write there again.</li>
 * </ol>
 * One move at a time across all replicas (a flag on the control row). Rows are copied in memory,
 * a range at a time: fine for ranges of up to some hundred thousand rows; larger moves should go
 * range by range. Admin-only: exposed as {@code POST /admin/shards/moves}, never through the
 * public entry point.
 */
@Singleton
public class BucketMover {

    private static final Logger LOG = Logger.getLogger(BucketMover.class);
    /** SQLSTATE the fence raises; classified as "shard unavailable" (503, retry). */
    public static final String FENCED_STATE = "MIL01";
    private static final int FENCE_ATTEMPTS = 10;
    /** The mover's own sessions pass the fence. */
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

    record Table(String name, String key) {
    }

    /** What a move did: the new map, and rows copied per table in the final catch-up. */
    public record Result(String map, long version, int source, int target, Map<String, Integer> rows,
            long millis) {
    }

    private final Shards shards;
    private final ShardMapStore maps;
    private final ShardingConfig config;
    private final List<Table> tables = new ArrayList<>();

    public BucketMover(Shards shards, ShardMapStore maps, ShardingConfig config) {
        this.shards = shards;
        this.maps = maps;
        this.config = config;
        for (String table : config.tables()) {
            String[] parts = table.split(":");
            if (parts.length != 2 || !parts[0].matches("[a-z_][a-z0-9_]*") || !parts[1].matches("[a-z_][a-z0-9_]*")) {
                throw new IllegalStateException("million.sharding.tables entries are table:primary-key, not " + table);
            }
            tables.add(new Table(parts[0], parts[1]));
        }
    }

    public Uni<Result> move(int from, int to, int target) {
        long started = System.nanoTime();
        ShardMap current = shards.map();
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
        if (tables.isEmpty()) {
            throw ProblemException.conflict("million.sharding.tables names no table to move");
        }
        ShardMap next = current.withRange(from, to, target, shards.count());
        Pool src = ShardMigrations.pool(source);
        Pool dst = ShardMigrations.pool(target);
        Pool control = ShardMigrations.pool(ShardMapStore.CONTROL_SHARD);
        Map<String, Integer> rows = new LinkedHashMap<>();
        LOG.infof("moving buckets %d..%d from shard %d to shard %d", from, to, source, target);
        Uni<Void> beforeSwitch = claim(control)
                .chain(() -> installFence(src))
                .chain(() -> installFence(dst))
                .chain(() -> copyAll(src, dst, from, to, false, rows))
                .chain(() -> fence(src, from, to))
                .chain(() -> copyAll(src, dst, from, to, true, rows))
                .chain(() -> unfence(dst, from, to))
                .onFailure().call(failure -> unfence(src, from, to).onFailure().recoverWithNull()
                        .chain(() -> release(control)).onFailure().recoverWithNull());
        return beforeSwitch
                .chain(() -> control.preparedQuery("update million_shard_map set spec = $1, version = version + 1, "
                        + "moving = false where id = 1 returning version").execute(Tuple.of(next.spec())))
                .call(maps::refresh)
                .call(() -> Uni.createFrom().voidItem().onItem().delayIt().by(config.mapRefresh().multipliedBy(2)))
                .call(() -> cleanup(src, from, to))
                .map(updated -> {
                    long version = updated.iterator().next().getLong(0);
                    LOG.infof("moved buckets %d..%d to shard %d: map version %d", from, to, target, version);
                    return new Result(next.spec(), version, source, target, rows,
                            Duration.ofNanos(System.nanoTime() - started).toMillis());
                });
    }

    private static Uni<Void> claim(Pool control) {
        return control.query("update million_shard_map set moving = true where id = 1 and not moving").execute()
                .invoke(updated -> {
                    if (updated.rowCount() == 0) {
                        throw ProblemException.conflict("A bucket move is already running");
                    }
                }).replaceWithVoid();
    }

    private static Uni<Void> release(Pool control) {
        return control.query("update million_shard_map set moving = false where id = 1").execute().replaceWithVoid();
    }

    private Uni<Void> installFence(Pool pool) {
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
    private Uni<Void> fence(Pool src, int from, int to) {
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
        return pool.withTransaction(connection -> connection.query("select lo, hi from million_fenced_buckets")
                .execute().chain(rows -> {
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

    private Uni<Void> copyAll(Pool src, Pool dst, int from, int to, boolean prune, Map<String, Integer> rows) {
        Uni<Void> chain = Uni.createFrom().voidItem();
        for (Table table : tables) {
            chain = chain.chain(() -> copy(src, dst, table, from, to, prune))
                    .invoke(count -> rows.put(table.name(), count)).replaceWithVoid();
        }
        return chain;
    }

    /** Upserts the range's rows into the target; with {@code prune}, deletes target rows the source lacks. */
    private static Uni<Integer> copy(Pool src, Pool dst, Table table, int from, int to, boolean prune) {
        return src.withTransaction(read -> read.query("set local statement_timeout = 0").execute()
                .chain(() -> read.preparedQuery("select * from " + table.name() + " where bucket between $1 and $2")
                        .execute(Tuple.of((short) from, (short) to))))
                .chain(found -> dst.withTransaction(connection -> connection.query(BYPASS).execute()
                        .chain(() -> upsert(connection, table, found))
                        .chain(() -> prune ? prune(connection, table, found, from, to) : Uni.createFrom().voidItem())
                        .replaceWith(found.rowCount())));
    }

    private static Uni<Void> upsert(SqlConnection connection, Table table, RowSet<Row> found) {
        if (found.rowCount() == 0) {
            return Uni.createFrom().voidItem();
        }
        List<String> columns = found.columnsNames().stream().filter(column -> !column.equals("bucket")).toList();
        StringBuilder sql = new StringBuilder("insert into ").append(table.name()).append(" (")
                .append(String.join(", ", columns)).append(") values (");
        for (int i = 1; i <= columns.size(); i++) {
            sql.append(i > 1 ? ", " : "").append('$').append(i);
        }
        sql.append(") on conflict (").append(table.key()).append(") do update set ");
        sql.append(String.join(", ", columns.stream().map(column -> column + " = excluded." + column).toList()));
        List<Tuple> batch = new ArrayList<>();
        for (Row row : found) {
            Tuple values = Tuple.tuple();
            for (String column : columns) {
                values.addValue(row.getValue(column));
            }
            batch.add(values);
        }
        return connection.preparedQuery(sql.toString()).executeBatch(batch).replaceWithVoid();
    }

    private static Uni<Void> prune(SqlConnection connection, Table table, RowSet<Row> found, int from, int to) {
        List<Object> keys = new ArrayList<>();
        for (Row row : found) {
            keys.add(row.getValue(table.key()));
        }
        Object array = !keys.isEmpty() && keys.get(0) instanceof Long ? keys.toArray(new Long[0])
                : keys.stream().map(String::valueOf).toArray(String[]::new);
        String cast = array instanceof Long[] ? "bigint[]" : "text[]";
        return connection.preparedQuery("delete from " + table.name() + " where bucket between $1 and $2 and not ("
                + table.key() + " = any($3::" + cast + "))")
                .execute(Tuple.of((short) from, (short) to, array)).replaceWithVoid();
    }

    private Uni<Void> cleanup(Pool src, int from, int to) {
        return src.withTransaction(connection -> {
            Uni<?> chain = connection.query(BYPASS).execute();
            for (Table table : tables) {
                chain = chain.chain(() -> connection.preparedQuery("delete from " + table.name()
                        + " where bucket between $1 and $2").execute(Tuple.of((short) from, (short) to)));
            }
            return chain.replaceWithVoid();
        });
    }
}
