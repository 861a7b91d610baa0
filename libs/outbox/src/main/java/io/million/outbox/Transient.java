package io.million.outbox;

import java.util.Set;

import io.million.sharding.BucketMover;
import io.million.web.problem.Unavailable;

/**
 * Tells a failure that may pass (retry it, with backoff) from one that will not (dead-letter):
 * a shard or Redis that cannot be reached or answered late (connection refused or closed,
 * timeouts: {@link Unavailable}), a serialization failure or deadlock
 * (the transaction rolled back whole), a bucket being moved (fenced), a retriable Kafka error.
 */
public final class Transient {

    /** Serialization failure, deadlock, the bucket mover's fence, lock or statement timeout. */
    private static final Set<String> STATES = Set.of("40001", "40P01", BucketMover.FENCED_STATE, "55P03", "57014");

    private Transient() {
    }

    public static boolean is(Throwable failure) {
        if (failure instanceof PoisonEvent) {
            return false;
        }
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof org.apache.kafka.common.errors.RetriableException
                    || t instanceof java.util.concurrent.TimeoutException
                    || t instanceof io.million.sharding.ShardUnavailableException) {
                return true;
            }
        }
        return Unavailable.is(failure, STATES);
    }
}
