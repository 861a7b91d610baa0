package io.million.sharding;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;

import org.jboss.logging.Logger;

import io.quarkus.arc.Arc;
import io.quarkus.reactive.datasource.ReactiveDataSource;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlConnection;

/**
 * Applies the service's versioned migrations ({@code db/migration/V1.sql}, {@code V2.sql}, ...,
 * consecutive numbers) to every shard at start-up, each file once, in order, in one transaction
 * per shard under an advisory lock, so replicas starting together do not race. Libraries with
 * tables of their own ({@link ShardingConfig#libraryMigrations()}) are migrated the same way from
 * {@code db/<library>/}, with their own version table. A migration that fails stops start-up:
 * serving on a schema it does not know would be worse. A shard that is <em>unreachable</em> does
 * not: the replica starts and serves the other shards, that shard's keys answer 503
 * ({@link Shards#isPending}) and it is migrated when it answers again (tried every 2 s).
 * <p>
 * Written here rather than with Flyway because Flyway needs a JDBC pool per shard slot beside the
 * reactive ones; this runs over the reactive pools the shards already have, with the simple query
 * protocol so a file may hold several statements.
 */
@Singleton
public class ShardMigrations {

    private static final Logger LOG = Logger.getLogger(ShardMigrations.class);
    private static final String SERVICE = "migration";
    /** Any constant works; it only has to be the same for every replica of every service. */
    private static final long LOCK_KEY = 0x4d696c6c696f6eL;
    private static final Duration TIMEOUT = Duration.ofSeconds(60);
    /** How often a shard that was down at start is tried again. */
    private static final Duration RETRY_EVERY = Duration.ofSeconds(2);

    private final java.util.concurrent.atomic.AtomicBoolean recovering = new java.util.concurrent.atomic.AtomicBoolean();
    private volatile boolean mapKnown = true;

    void onStart(@Observes StartupEvent event, ShardingConfig config, Shards shards, ShardMapStore maps,
            io.vertx.mutiny.core.Vertx vertx) {
        List<String> sets = new ArrayList<>(config.libraryMigrations().orElse(List.of()));
        sets.add(SERVICE);
        Set<Integer> down = new java.util.TreeSet<>();
        for (int shard = 0; shard < shards.count(); shard++) {
            if (!prepare(shard, sets, config).await().atMost(TIMEOUT)) {
                down.add(shard);
                Shards.pending(shard, true);
            }
        }
        boolean mapRead = maps.start(TIMEOUT);
        mapKnown = mapRead;
        if (!mapRead) {
            // Without the live map no key can be routed safely (a bucket may have moved): every shard
            // waits for it. The replica runs, not ready, and recovers on its own: no restart loop.
            for (int shard = 0; shard < shards.count(); shard++) {
                Shards.pending(shard, true);
            }
        }
        if (!down.isEmpty() || !mapRead) {
            LOG.warnf("shard(s) %s down at start: their keys answer 503 until they are back and migrated%s", down,
                    mapRead ? "" : "; the live shard map (shard 0) is unreadable, so every shard waits for it");
            long every = Math.max(100, RETRY_EVERY.toMillis());
            vertx.setPeriodic(every, every, id -> recover(shards, sets, config, maps, down, vertx, id));
        }
    }

    /**
     * Retries what start-up could not do: read the live map, then migrate each shard that was down;
     * a shard serves again once both are done. Runs one attempt at a time.
     */
    private void recover(Shards shards, List<String> sets, ShardingConfig config, ShardMapStore maps,
            Set<Integer> down, io.vertx.mutiny.core.Vertx vertx, long timer) {
        if (!recovering.compareAndSet(false, true)) {
            return;
        }
        Uni<Boolean> map = mapKnown ? Uni.createFrom().item(true)
                : maps.load().replaceWith(true).onFailure().recoverWithItem(false);
        map.chain(known -> {
            if (!known) {
                return Uni.createFrom().voidItem();
            }
            mapKnown = true;
            List<Uni<Void>> attempts = new ArrayList<>();
            for (int shard : List.copyOf(down)) {
                attempts.add(prepare(shard, sets, config).invoke(ready -> {
                    if (ready) {
                        down.remove(shard);
                        LOG.infof("shard %d is back and migrated: serving its keys again", shard);
                    }
                }).replaceWithVoid());
            }
            return attempts.isEmpty() ? Uni.createFrom().voidItem() : Uni.join().all(attempts).andCollectFailures()
                    .replaceWithVoid();
        }).onTermination().invoke(() -> {
            if (mapKnown) {
                for (int shard = 0; shard < shards.count(); shard++) {
                    Shards.pending(shard, down.contains(shard));
                }
                if (down.isEmpty()) {
                    vertx.cancelTimer(timer);
                }
            }
            recovering.set(false);
        }).subscribe().with(ignored -> { }, failure -> LOG.debugf("shard recovery attempt failed: %s", failure));
    }

    /**
     * Applies every migration set to {@code shard}: true when done, false when the shard is
     * unreachable (it is retried later). Any other failure (a migration that does not apply) fails:
     * serving on a schema this version does not know would be worse than not starting.
     */
    private Uni<Boolean> prepare(int shard, List<String> sets, ShardingConfig config) {
        if (!config.migrateAtStart()) {
            return Uni.createFrom().item(true);
        }
        Uni<Boolean> chain = Uni.createFrom().item(true);
        for (String set : sets) {
            List<String> scripts = load(set);
            chain = chain.chain(() -> migrate(pool(shard), table(set), scripts).invoke(applied -> LOG.infof(
                    "shard %d: %s schema at version %d (%d migration(s) applied now)", shard, set, scripts.size(),
                    applied)).replaceWith(true));
        }
        return chain.ifNoItem().after(TIMEOUT).fail().onFailure(ShardFailures::isUnavailable).recoverWithItem(failure -> {
            LOG.warnf("shard %d cannot be migrated now: %s", shard, failure.toString());
            return false;
        });
    }

    /** The reactive pool of a shard's slot; also used by the health check. */
    static Pool pool(int shard) {
        return Arc.container().instance(Pool.class,
                new ReactiveDataSource.ReactiveDataSourceLiteral(Shards.UNIT_PREFIX + shard)).get();
    }

    private static String table(String set) {
        if (!set.matches("[a-z][a-z0-9_]*")) {
            throw new IllegalStateException("million.sharding.library-migrations: '" + set + "' is not a name");
        }
        return SERVICE.equals(set) ? "schema_migrations" : "schema_migrations_" + set;
    }

    /**
     * Runs schema statements ({@code create ... if not exists}) in one transaction under the
     * migrations' advisory lock: "if not exists" is no guard against a concurrent create (two
     * replicas starting together on a fresh shard: a duplicate key in {@code pg_type}).
     */
    static Uni<Void> underLock(Pool pool, String... statements) {
        return pool.withTransaction(connection -> {
            Uni<?> chain = connection.query("set local statement_timeout = 0").execute()
                    .chain(() -> connection.query("select pg_advisory_xact_lock(" + LOCK_KEY + ")").execute());
            for (String statement : statements) {
                chain = chain.chain(() -> connection.query(statement).execute());
            }
            return chain.replaceWithVoid();
        });
    }

    static Uni<Integer> migrate(Pool pool, String table, List<String> scripts) {
        // A migration (an index build) may outlast the request path's statement_timeout.
        return pool.withTransaction(connection -> connection.query("set local statement_timeout = 0").execute()
                .chain(() -> connection.query("select pg_advisory_xact_lock(" + LOCK_KEY + ")").execute())
                .chain(() -> connection.query("create table if not exists " + table + " ("
                        + "version integer primary key, applied_at timestamptz not null default now())").execute())
                .chain(() -> connection.query("select version from " + table).execute())
                .chain(rows -> {
                    Set<Integer> done = new HashSet<>();
                    for (Row row : rows) {
                        done.add(row.getInteger(0));
                    }
                    return apply(connection, table, scripts, done, 1, 0);
                }));
    }

    private static Uni<Integer> apply(SqlConnection connection, String table, List<String> scripts, Set<Integer> done,
            int version, int applied) {
        if (version > scripts.size()) {
            return Uni.createFrom().item(applied);
        }
        if (done.contains(version)) {
            return apply(connection, table, scripts, done, version + 1, applied);
        }
        return connection.query(scripts.get(version - 1)).execute()
                .chain(() -> connection.query("insert into " + table + "(version) values (" + version + ")")
                        .execute())
                .chain(() -> apply(connection, table, scripts, done, version + 1, applied + 1));
    }

    /** db/&lt;set&gt;/V1.sql, V2.sql, ... until the first missing number. */
    static List<String> load(String set) {
        String folder = "db/" + set + "/";
        List<String> scripts = new ArrayList<>();
        ClassLoader loader = Thread.currentThread().getContextClassLoader();
        for (int version = 1;; version++) {
            try (InputStream in = loader.getResourceAsStream(folder + "V" + version + ".sql")) {
                if (in == null) {
                    return scripts;
                }
                scripts.add(new String(in.readAllBytes(), StandardCharsets.UTF_8));
            } catch (IOException e) {
                throw new IllegalStateException("cannot read " + folder + "V" + version + ".sql", e);
            }
        }
    }
}
