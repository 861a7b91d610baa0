package io.million.web;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.ConnectException;
import java.net.SocketException;
import java.util.Set;

import org.junit.jupiter.api.Test;

import io.million.web.problem.Unavailable;
import io.vertx.core.VertxException;
import io.vertx.core.impl.NoStackTraceThrowable;
import io.vertx.pgclient.PgException;

/** What counts as "the backing server went away" (503) and what stays a bug (500). */
class UnavailableTest {

    private static final String CLOSED = "Pending requests failed to be sent due to connection has been closed.";

    @Test
    void closedAndResetConnectionsAreUnavailableWhereverTheyAreInTheChain() {
        assertTrue(Unavailable.is(new NoStackTraceThrowable(CLOSED)));
        assertTrue(Unavailable.is(new VertxException(CLOSED, new SocketException("Connection reset"))));
        assertTrue(Unavailable.is(new RuntimeException("wrapped", new SocketException("Broken pipe"))));
        assertTrue(Unavailable.is(new IllegalStateException(new ConnectException("Connection refused"))));
        assertTrue(Unavailable.is(io.vertx.sqlclient.ClosedConnectionException.INSTANCE));
    }

    @Test
    void serverStatesMeaningNotServingAreUnavailable() {
        assertTrue(Unavailable.is(pg("57P01")));
        assertTrue(Unavailable.is(pg("55000")));
        assertTrue(Unavailable.is(pg("08006")));
        assertFalse(Unavailable.is(pg("40001")));
        assertTrue(Unavailable.is(pg("40001"), Set.of("40001")));
    }

    @Test
    void aCommandOnAConnectionAlreadyClosedIsUnavailableAsHibernateReactiveWrapsIt() {
        // What a listing on the streaming replica got when the replica stopped under it (chaos suite).
        NoStackTraceThrowable closed = new NoStackTraceThrowable("Connection is not active now, current status: CLOSED");
        assertTrue(Unavailable.is(new RuntimeException(closed)));
        assertTrue(Unavailable.is(new RuntimeException(closed.toString())), "the message alone, as Hibernate copies it");
    }

    @Test
    void bugsAndClientErrorsAreNot() {
        assertFalse(Unavailable.is(new NoStackTraceThrowable("something else")));
        assertFalse(Unavailable.is(new IllegalStateException("boom")));
        assertFalse(Unavailable.is(pg("23505")));
        assertFalse(Unavailable.is(pg("22021")));
        assertFalse(Unavailable.is(new java.io.IOException("a JSON body that does not parse")));
    }

    private static PgException pg(String state) {
        return new PgException("message", "ERROR", state, null);
    }
}
