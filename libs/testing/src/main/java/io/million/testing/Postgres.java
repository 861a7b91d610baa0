package io.million.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs SQL as the local PostgreSQL superuser through {@code psql}, for tests that must act on a
 * server from outside the service: stopping a shard, counting rows where they really are.
 */
public final class Postgres {

    private static final long TIMEOUT_SECONDS = 30;

    private Postgres() {
    }

    /** Runs {@code sql} on {@code database} and returns what psql printed (unaligned, tuples only). */
    public static String sql(String database, String sql) {
        return run(System.getenv().getOrDefault("MILLION_PG_PORT", "5432"), database, sql);
    }

    /** The same on the streaming replica of the local stack (a hot standby: reads and replay control only). */
    public static String onReplica(String database, String sql) {
        return run(System.getenv().getOrDefault("MILLION_PG_REPLICA_PORT", "5433"), database, sql);
    }

    /**
     * {@code sql} on each of {@code databases} with one psql (it reconnects between them): its
     * output, one line per row, in the order of the databases.
     */
    public static List<String> sqlOnEach(List<String> databases, String sql) {
        StringBuilder script = new StringBuilder();
        for (String database : databases) {
            script.append("\\connect ").append(database).append('\n').append(sql).append(";\n");
        }
        String out = run(System.getenv().getOrDefault("MILLION_PG_PORT", "5432"), "postgres", null, script.toString());
        return out.isEmpty() ? List.of() : List.of(out.split("\n"));
    }

    private static String run(String port, String database, String sql) {
        return run(port, database, sql, null);
    }

    /** psql on {@code database}: one command ({@code sql}), or a script on its standard input. */
    private static String run(String port, String database, String sql, String script) {
        try {
            List<String> command = new ArrayList<>(List.of("psql", "-X", "-q", "-tA",
                    "-v", "ON_ERROR_STOP=1", "-h", "127.0.0.1", "-p", port, "-U", "postgres", "-d", database));
            if (sql != null) {
                command.addAll(List.of("-c", sql));
            }
            Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
            try (var in = process.getOutputStream()) {
                if (script != null) {
                    in.write(script.getBytes(StandardCharsets.UTF_8));
                }
            }
            if (!process.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IllegalStateException("psql did not finish: " + sql);
            }
            String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            if (process.exitValue() != 0) {
                throw new IllegalStateException("psql failed (" + process.exitValue() + "): " + out);
            }
            return out;
        } catch (IOException e) {
            throw new IllegalStateException("cannot run psql", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    /** Makes a database refuse connections and drops the ones it has: the shard is down. */
    public static void stopDatabase(String database) {
        sql("postgres", "alter database " + database + " with allow_connections false");
        sql("postgres", "select pg_terminate_backend(pid) from pg_stat_activity where datname = '" + database + "'");
    }

    public static void startDatabase(String database) {
        sql("postgres", "alter database " + database + " with allow_connections true");
    }
}
