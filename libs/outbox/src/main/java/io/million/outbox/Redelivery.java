package io.million.outbox;

import java.time.Duration;
import java.util.function.Supplier;

import io.smallrye.mutiny.Uni;
import io.vertx.core.Context;
import io.vertx.core.Vertx;

/**
 * Retries a consumer's handling of one event with exponential backoff before the message is
 * nacked (and, with the dead-letter-queue failure strategy, dead-lettered with the failure as
 * reason). A {@link PoisonEvent} is not retried. Each attempt re-enters the caller's Vert.x
 * context: Hibernate Reactive sessions must be opened on it, and Mutiny's backoff resumes on
 * another thread.
 */
public final class Redelivery {

    /** Attempts in all, the first included. */
    public static final int ATTEMPTS = 4;
    private static final Duration FIRST_BACKOFF = Duration.ofMillis(100);
    private static final Duration MAX_BACKOFF = Duration.ofSeconds(2);

    private Redelivery() {
    }

    public static <T> Uni<T> withRetries(Supplier<Uni<? extends T>> handling) {
        Uni<T> attempt = Uni.createFrom().deferred(handling);
        Context context = Vertx.currentContext();
        if (context != null) {
            attempt = attempt.runSubscriptionOn(task -> context.runOnContext(ignored -> task.run()));
        }
        return attempt.onFailure(failure -> !(failure instanceof PoisonEvent))
                .retry().withBackOff(FIRST_BACKOFF, MAX_BACKOFF).atMost(ATTEMPTS - 1)
                // Mutiny reports exhaustion as "Retries exhausted" around the last failure: keep the cause.
                .onFailure(failure -> failure.getCause() != null && String.valueOf(failure.getMessage())
                        .startsWith("Retries exhausted"))
                .transform(Throwable::getCause);
    }
}
