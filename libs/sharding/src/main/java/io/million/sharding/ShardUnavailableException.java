package io.million.sharding;

import java.util.Map;

import io.million.web.problem.Problem;
import io.million.web.problem.ProblemException;

/** One shard cannot be reached: only the keys on it fail, with a 503 and {@code Retry-After}. */
public class ShardUnavailableException extends ProblemException {

    /** Seconds a client should wait; a shard failover usually takes a few. */
    static final int RETRY_AFTER_SECONDS = 2;

    public ShardUnavailableException(int shard, Throwable cause) {
        super(Problem.of(503, "Service Unavailable", "The shard holding this data is unavailable or busy; retry shortly"),
                Map.of("Retry-After", Integer.toString(RETRY_AFTER_SECONDS)), cause);
    }
}
