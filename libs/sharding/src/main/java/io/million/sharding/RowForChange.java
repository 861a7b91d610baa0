package io.million.sharding;

import java.util.function.ToLongFunction;

import org.hibernate.LockMode;
import org.hibernate.reactive.mutiny.Mutiny;

import io.million.web.Preconditions;
import io.million.web.problem.ProblemException;
import io.smallrye.mutiny.Uni;

/**
 * "Find the row to change, or 404, honouring If-Match", once for every service. The row is read
 * {@code FOR UPDATE}: concurrent changes of one row queue on the shard instead of racing to an
 * optimistic-lock failure, so a blind merge patch always applies (last writer wins, each on the
 * latest version) and, with {@code If-Match}, exactly one of several writers holding the same
 * version wins and the others get 412. Call inside the shard transaction that makes the change.
 */
public final class RowForChange {

    private RowForChange() {
    }

    /**
     * The row {@code id} of {@code type}, locked until the transaction ends.
     *
     * @throws ProblemException 404 when there is none, 412 when {@code ifMatch} (may be null)
     *         does not name its current version
     */
    public static <T> Uni<T> lock(Mutiny.Session session, Class<T> type, long id, ToLongFunction<T> version,
            String ifMatch, String what) {
        return session.find(type, id, LockMode.PESSIMISTIC_WRITE)
                .onItem().ifNull().failWith(() -> ProblemException.notFound("No " + what + " " + id))
                .invoke(row -> Preconditions.checkIfMatch(ifMatch, version.applyAsLong(row)));
    }
}
