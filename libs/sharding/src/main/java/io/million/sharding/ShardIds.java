package io.million.sharding;

import java.time.Instant;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Shard-aware ids: positive 63-bit longs, time-ordered, that carry their bucket so any id routes
 * to exactly one shard with no lookup.
 *
 * <pre>
 *  bit 63    62 ........ 22   21 ...... 10   9 ...... 0
 *  0         milliseconds     bucket         sequence
 *            since 2026-01-01 (12 bits)      (10 bits)
 * </pre>
 *
 * 41 bits of milliseconds last until 2095. No coordination between replicas: each process starts
 * its sequence at a random point and counts up within a millisecond (borrowing the next
 * millisecond when 1,024 are used up), so two replicas collide only if they create in the same
 * millisecond, same bucket, same sequence value; the shard's primary key refuses such a
 * duplicate and the store retries with a fresh id. Ids exceed 2^53, so JSON carries them as
 * strings. Thread-safe.
 */
public final class ShardIds {

    public static final long EPOCH_MILLIS = Instant.parse("2026-01-01T00:00:00Z").toEpochMilli();
    private static final int SEQUENCE_BITS = 10;
    private static final int BUCKET_BITS = 12;
    private static final long SEQUENCE_MASK = (1L << SEQUENCE_BITS) - 1;
    private static final long BUCKET_MASK = (1L << BUCKET_BITS) - 1;
    private static final int TIME_SHIFT = SEQUENCE_BITS + BUCKET_BITS;

    private long lastMillis = -1;
    private long sequence = ThreadLocalRandom.current().nextLong(SEQUENCE_MASK + 1);

    /** A new id in {@code bucket}, later than every id this instance made before. */
    public synchronized long next(int bucket) {
        if (bucket < 0 || bucket >= Buckets.COUNT) {
            throw new IllegalArgumentException("bucket out of range: " + bucket);
        }
        long now = System.currentTimeMillis() - EPOCH_MILLIS;
        if (now > lastMillis) {
            lastMillis = now;
        } else if (((sequence + 1) & SEQUENCE_MASK) == 0) {
            lastMillis++; // this millisecond is used up (or the clock stepped back): borrow the next
        }
        sequence = (sequence + 1) & SEQUENCE_MASK;
        return compose(lastMillis, bucket, sequence);
    }

    static long compose(long millis, int bucket, long sequence) {
        return (millis << TIME_SHIFT) | ((long) bucket << SEQUENCE_BITS) | sequence;
    }

    public static int bucketOf(long id) {
        return (int) ((id >>> SEQUENCE_BITS) & BUCKET_MASK);
    }

    public static Instant timeOf(long id) {
        return Instant.ofEpochMilli((id >>> TIME_SHIFT) + EPOCH_MILLIS);
    }

    /**
     * The id in a request path; text that is not an id names nothing, so it is a 404 like any
     * unknown id ({@code what} names the resource in the problem's detail).
     */
    public static long requireId(String text, String what) {
        long id = parse(text);
        if (id < 0) {
            throw io.million.web.problem.ProblemException.notFound("No " + what + " " + text);
        }
        return id;
    }

    /** The id as clients see it, or -1 when the text is not one (an unknown id, not an error). */
    public static long parse(String text) {
        if (text == null || text.isEmpty() || text.length() > 19) {
            return -1;
        }
        for (int i = 0; i < text.length(); i++) {
            if (text.charAt(i) < '0' || text.charAt(i) > '9') {
                return -1;
            }
        }
        try {
            return Long.parseLong(text);
        } catch (NumberFormatException e) {
            return -1;
        }
    }
}
