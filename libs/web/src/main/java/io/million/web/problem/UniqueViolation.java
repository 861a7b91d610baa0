package io.million.web.problem;

import io.vertx.pgclient.PgException;

/**
 * Recognises a unique-constraint violation anywhere in a cause chain: Hibernate's translated
 * {@link org.hibernate.exception.ConstraintViolationException} or the PostgreSQL client's own
 * {@link PgException} (SQLSTATE 23505), for code that talks to the client directly.
 */
public final class UniqueViolation {

    private static final String UNIQUE_VIOLATION = "23505";

    private UniqueViolation() {
    }

    /** True when {@code failure} was caused by a unique violation of {@code constraint} (any if null). */
    public static boolean of(Throwable failure, String constraint) {
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof org.hibernate.exception.ConstraintViolationException violation
                    && violation.getKind() == org.hibernate.exception.ConstraintViolationException.ConstraintKind.UNIQUE) {
                return constraint == null || constraint.equalsIgnoreCase(violation.getConstraintName());
            }
            if (t instanceof PgException pg && UNIQUE_VIOLATION.equals(pg.getSqlState())) {
                return constraint == null || constraint.equalsIgnoreCase(pg.getConstraint());
            }
        }
        return false;
    }
}
