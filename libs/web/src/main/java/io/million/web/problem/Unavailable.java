package io.million.web.problem;

import java.net.SocketException;
import java.util.Set;

import io.vertx.pgclient.PgException;

/**
 * Tells "a backing server cannot serve right now, retry" (503) from a bug (500): connection
 * refused or closed, pool or request timeouts, and PostgreSQL states meaning the database is not
 * serving — connection exceptions (class 08), shutting down or starting (57P01-57P03), refusing
 * connections (55000, as with ALLOW_CONNECTIONS false), gone (3D000); and busy: a statement the
 * server cancelled for running past its bound (57014), a lock not granted in time (55P03).
 *
 * <p>A connection the server closed while a command was queued on it fails that command with a
 * bare {@code NoStackTraceThrowable} or {@code VertxException} whose only sign is its message
 * (Vert.x SQL client 4.5 {@code SocketConnectionBase.handleClose}; a command on a connection
 * already closed: "Connection is not active now, current status: CLOSED", as Hibernate Reactive
 * wraps it when a streaming replica stops under a read, found by the chaos suite), and a write to a socket the
 * peer reset fails with a {@link SocketException} or Netty's native {@code IOException}: both mean
 * "the server went away", never a bug, so they count too.
 */
public final class Unavailable {

    private static final Set<String> STATES = Set.of("57P01", "57P02", "57P03", "55000", "3D000", "57014", "55P03");
    private static final Set<String> TYPES = Set.of("io.vertx.sqlclient.ClosedConnectionException",
            "io.vertx.core.impl.NoStackTraceTimeoutException", "io.vertx.core.http.ConnectionPoolTooBusyException",
            "io.smallrye.mutiny.TimeoutException", "io.netty.channel.unix.Errors$NativeIoException");
    private static final String CLOSED_WHILE_PENDING = "Pending requests failed to be sent due to connection has been closed.";
    private static final String NOT_ACTIVE = "Connection is not active now, current status: ";

    private Unavailable() {
    }

    public static boolean is(Throwable failure) {
        return is(failure, Set.of());
    }

    /** As {@link #is(Throwable)}, also counting the given extra SQLSTATEs as retryable. */
    public static boolean is(Throwable failure, Set<String> extraStates) {
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof SocketException || t instanceof java.nio.channels.ClosedChannelException
                    || TYPES.contains(t.getClass().getName()) || CLOSED_WHILE_PENDING.equals(t.getMessage())
                    || t.getMessage() != null && t.getMessage().contains(NOT_ACTIVE)) {
                return true;
            }
            String state = t instanceof PgException pg ? pg.getSqlState()
                    : t instanceof java.sql.SQLException sql ? sql.getSQLState() : null;
            if (state != null && (state.startsWith("08") || STATES.contains(state) || extraStates.contains(state))) {
                return true;
            }
        }
        return false;
    }
}
