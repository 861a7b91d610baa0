package io.million.outbox;

import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Event ids: UUID version 7 (RFC 9562), a millisecond timestamp then 74 random bits. Time-ordered,
 * so the consumers' {@code processed_events} index grows at its end instead of everywhere.
 * <p>
 * Written here because JDK 17 has only random (v4) UUIDs, whose {@link UUID#randomUUID()} reads
 * the shared SecureRandom on every call, on the request path; event ids need uniqueness, not
 * unpredictability, so {@link ThreadLocalRandom} serves. Thread-safe.
 */
public final class EventIds {

    private EventIds() {
    }

    public static UUID next() {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        long millis = System.currentTimeMillis() & 0xFFFF_FFFF_FFFFL;
        long high = (millis << 16) | 0x7000L | (random.nextLong() & 0x0FFFL);
        long low = (random.nextLong() & 0x3FFF_FFFF_FFFF_FFFFL) | 0x8000_0000_0000_0000L;
        return new UUID(high, low);
    }
}
