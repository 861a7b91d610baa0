package io.million.sharding;

import java.util.Set;

import io.million.web.problem.Unavailable;

/**
 * Tells a failure worth a retry from a bug: everything {@link Unavailable} counts, plus a write to
 * a bucket range that is being moved (fenced, see {@link BucketMover}: the retry reaches the new
 * shard) and a deadlock or serialization failure (40P01, 40001), which rolled the transaction back
 * whole, so a retry is safe.
 */
final class ShardFailures {

    private static final Set<String> RETRYABLE_STATES = Set.of(BucketMover.FENCED_STATE, "40P01", "40001");

    private ShardFailures() {
    }

    static boolean isUnavailable(Throwable failure) {
        return Unavailable.is(failure, RETRYABLE_STATES);
    }
}
