package io.million.web.problem;

import io.vertx.pgclient.PgException;

/**
 * Recognises a change that lost a race with another one: Hibernate's optimistic-lock failure
 * (a row version that moved between read and write), or PostgreSQL's serialization failure
 * (40001) or deadlock (40P01). The client's request was valid and nothing was written: it is a
 * 409 problem the client may retry, never a 500. Stores avoid these in the first place (rows are
 * changed under a row lock, {@code RowForChange}); this is the net under any path that does not.
 */
public final class ConcurrentChange {

    private ConcurrentChange() {
    }

    public static boolean is(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof org.hibernate.StaleStateException
                    || t instanceof org.hibernate.dialect.lock.OptimisticEntityLockException
                    || t.getClass().getName().equals("jakarta.persistence.OptimisticLockException")) {
                return true;
            }
            if (t instanceof PgException pg && ("40001".equals(pg.getSqlState()) || "40P01".equals(pg.getSqlState()))) {
                return true;
            }
        }
        return false;
    }

    static Problem problem() {
        return Problem.of(409, "Conflict", "The resource was changed by another request at the same time; "
                + "read it again and retry");
    }
}
