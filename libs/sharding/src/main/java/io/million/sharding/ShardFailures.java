package io.million.sharding;

import java.net.ConnectException;
import java.util.Set;

import io.vertx.pgclient.PgException;

/** Tells a failure worth a retry (shard unreachable, range fenced, transaction aborted by the database) from a bug. */
final class ShardFailures {

    /**
     * SQLSTATEs meaning "this database is not serving": connection exceptions (class 08), the
     * server shutting down or starting (57P01-57P03), a database refusing connections (55000 as
     * raised by ALLOW_CONNECTIONS false) or gone (3D000), and a write to a bucket range that is
     * being moved (fenced, see {@link BucketMover}): the client retries and reaches the new shard.
     * A deadlock or serialization failure (40P01, 40001) rolled the transaction back whole, so a
     * retry is safe: the client is told to retry too.
     */
    private static final Set<String> UNAVAILABLE_STATES = Set.of("57P01", "57P02", "57P03", "55000", "3D000",
            BucketMover.FENCED_STATE, "40P01", "40001");

    private ShardFailures() {
    }

    static boolean isUnavailable(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof ConnectException || t instanceof java.nio.channels.ClosedChannelException) {
                return true;
            }
            String type = t.getClass().getName();
            if (type.equals("io.vertx.sqlclient.ClosedConnectionException")
                    || type.equals("io.vertx.core.impl.NoStackTraceTimeoutException")
                    || type.equals("io.vertx.core.http.ConnectionPoolTooBusyException")) {
                return true;
            }
            if (t instanceof PgException pg && pg.getSqlState() != null
                    && (pg.getSqlState().startsWith("08") || UNAVAILABLE_STATES.contains(pg.getSqlState()))) {
                return true;
            }
            if (t instanceof java.sql.SQLException sql && sql.getSQLState() != null
                    && (sql.getSQLState().startsWith("08") || UNAVAILABLE_STATES.contains(sql.getSQLState()))) {
                return true;
            }
        }
        return false;
    }
}
