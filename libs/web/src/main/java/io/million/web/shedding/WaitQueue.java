package io.million.web.shedding;

import java.util.Deque;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongSupplier;

/**
 * The requests of one priority waiting for a slot, under controlled delay with adaptive LIFO, the
 * rule Facebook's "Fail at Scale" (ACM Queue, 2015) applies to server request queues after CoDel
 * (Nichols and Jacobson, "Controlling Queue Delay", 2012):
 * <ul>
 * <li>A queue that only absorbs a burst lets a request parked now wait up to {@code interval}, and
 * serves its waiters first come, first served.</li>
 * <li>A <em>standing</em> queue, the mark of overload rather than of a burst, holds at most
 * {@code standingCapacity} waiters, lets a request parked now wait only {@code standingTimeout},
 * and a freed slot goes to the newest waiter (LIFO): the one most likely to still be wanted and
 * to finish within its client's patience, while the oldest time out. Admitted requests keep a low
 * latency, and the few waiters still keep a freed slot busy; more would only be parked to be
 * refused later, each at more cost than a refusal at once (measured on perf/overload: 32 waiters
 * under overload gave 10-20 % less goodput than 4).
 * A queue is standing when it has not been empty for the last {@code interval} (CoDel's rule), or
 * when within it a waiter timed out or an arrival found the queue full ({@link #overflowed()}).
 * The second rule holds the state under overload: short waits that time out can empty the queue
 * for a moment between two arrivals, and by the first rule alone every such moment would start a
 * burst's long first-come-first-served waits again (measured on perf/overload: the admitted
 * requests' p99 went from about 20 to 50-64 ms).</li>
 * </ul>
 * Thread-safe (waiters park from several event loops). Only parking reads the clock and writes
 * shared state: {@link #isEmpty()}, asked by every request on the way in, only reads. The clock is
 * injected, so the rule is tested without sleeping. Written by hand: concurrency-limits' backlogs
 * block their caller.
 *
 * @param <T> a waiter
 */
final class WaitQueue<T> {

    private final Deque<T> waiters = new ConcurrentLinkedDeque<>();
    private final AtomicInteger size = new AtomicInteger();
    private final int standingCapacity;
    private final long intervalNanos;
    private final long standingTimeoutNanos;
    private final LongSupplier clock;
    /** Since when this queue has held a waiter without a break (meaningful while it holds one). */
    private volatile long busySince;
    /** When a waiter last timed out or an arrival last found the queue full. */
    private volatile long overflowAt;

    /**
     * @param intervalNanos        the longest wait, and how long a queue must stay non-empty to be standing
     * @param standingTimeoutNanos the longest wait while the queue is standing
     * @param standingCapacity     the most waiters while the queue is standing
     * @param clock                nanoseconds ({@code System::nanoTime})
     */
    WaitQueue(long intervalNanos, long standingTimeoutNanos, int standingCapacity, LongSupplier clock) {
        this.standingCapacity = standingCapacity;
        this.intervalNanos = intervalNanos;
        this.standingTimeoutNanos = Math.min(standingTimeoutNanos, intervalNanos);
        this.clock = clock;
        this.overflowAt = clock.getAsLong() - intervalNanos - 1;
    }

    boolean isEmpty() {
        return waiters.isEmpty();
    }

    /** Overload, not a burst: the queue has not been empty for the last interval, or overflowed within it. */
    boolean standing() {
        return standing(clock.getAsLong());
    }

    private boolean standing(long now) {
        return now - overflowAt <= intervalNanos || size.get() > 0 && now - busySince > intervalNanos;
    }

    /** A waiter timed out, or an arrival was refused because the queue was full. */
    void overflowed() {
        overflowAt = clock.getAsLong();
    }

    /**
     * Parks a waiter; returns the longest it may wait, in nanoseconds, or -1 when the queue is
     * standing and full (nothing parked).
     */
    long offer(T waiter) {
        long now = clock.getAsLong();
        boolean standing = standing(now);
        int before = size.getAndIncrement();
        if (standing && before >= standingCapacity) {
            size.decrementAndGet();
            return -1;
        }
        if (before == 0) {
            busySince = now;
        }
        waiters.addLast(waiter);
        return standing ? standingTimeoutNanos : intervalNanos;
    }

    /** The waiter a freed slot goes to: the oldest, or the newest while the queue is standing; null when empty. */
    T poll() {
        T waiter = standing() ? waiters.pollLast() : waiters.pollFirst();
        if (waiter != null) {
            size.decrementAndGet();
        }
        return waiter;
    }

    /** Drops a waiter that timed out. */
    void remove(T waiter) {
        if (waiters.remove(waiter)) {
            size.decrementAndGet();
        }
    }
}
