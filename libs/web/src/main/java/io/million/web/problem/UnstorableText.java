package io.million.web.problem;

import java.util.List;

import io.vertx.pgclient.PgException;

/**
 * Text PostgreSQL cannot store: the NUL character (U+0000), which no {@code text} column accepts.
 * Input is checked where it enters (JSON strings in {@code JsonInput}, query parameters in
 * {@code QueryInput}, merge patches by their parsers) so the 400 names the field; {@link #is}
 * recognises the database's own refusal (SQLSTATE 22021, 22P05, 22001) as the net under any path that
 * was missed, so it is a 400 too, never a 500.
 */
public final class UnstorableText {

    public static final String MESSAGE = "must not contain the NUL character (U+0000)";

    /** Invalid byte sequence, untranslatable character, value too long for its column. */
    private static final java.util.Set<String> STORAGE_REFUSALS = java.util.Set.of("22021", "22P05", "22001");

    private UnstorableText() {
    }

    public static boolean contains(String text) {
        return text != null && text.indexOf('\u0000') >= 0;
    }

    /** Refuses {@code text} as the value of {@code field} when it cannot be stored. */
    public static void check(String field, String text) {
        if (contains(text)) {
            throw ProblemException.badInput(field, MESSAGE);
        }
    }

    static boolean is(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof PgException pg && STORAGE_REFUSALS.contains(pg.getSqlState())) {
                return true;
            }
        }
        return false;
    }

    static Problem problem() {
        return new Problem("about:blank", "Bad Request", 400, "Invalid input: text the database cannot store",
                null, List.of(new Problem.FieldError("body", "holds text that cannot be stored (a NUL character, "
                        + "or longer than its field allows)")));
    }
}
