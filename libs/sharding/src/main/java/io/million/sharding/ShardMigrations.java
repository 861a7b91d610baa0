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
 * {@code db/<library>/}, with their own version table. A shard that
 * cannot be migrated stops start-up: serving on a schema it does not know would be worse.
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

    void onStart(@Observes StartupEvent event, ShardingConfig config, Shards shards, ShardMapStore maps) {
        if (config.migrateAtStart()) {
            List<String> sets = new ArrayList<>(config.libraryMigrations().orElse(List.of()));
            sets.add(SERVICE);
            for (String set : sets) {
                List<String> scripts = load(set);
                for (int shard = 0; shard < shards.count(); shard++) {
                    int applied = migrate(pool(shard), table(set), scripts).await().atMost(TIMEOUT);
                    LOG.infof("shard %d: %s schema at version %d (%d migration(s) applied now)", shard, set,
                            scripts.size(), applied);
                }
            }
        }
        maps.start(TIMEOUT);
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
