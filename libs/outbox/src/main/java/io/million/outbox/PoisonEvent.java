package io.million.outbox;

/**
 * An event that can never be processed (no event id, unreadable payload, unknown shape):
 * retrying is pointless, so it goes straight to the dead-letter topic with this message as reason.
 */
public class PoisonEvent extends RuntimeException {

    public PoisonEvent(String message, Throwable cause) {
        super(message, cause, false, false);
    }

    public PoisonEvent(String message) {
        this(message, null);
    }
}
