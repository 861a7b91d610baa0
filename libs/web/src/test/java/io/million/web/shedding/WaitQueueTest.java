package io.million.web.shedding;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;

/** Controlled delay with adaptive LIFO, on a clock the test moves. */
class WaitQueueTest {

    private static final long INTERVAL = TimeUnit.MILLISECONDS.toNanos(100);
    private static final long STANDING = TimeUnit.MILLISECONDS.toNanos(5);

    private final AtomicLong now = new AtomicLong(1_000_000_000L);
    private final WaitQueue<String> queue = new WaitQueue<>(INTERVAL, STANDING, 4, now::get);

    @Test
    void aBurstWaitsTheIntervalFirstComeFirstServed() {
        assertEquals(INTERVAL, queue.offer("a"));
        now.addAndGet(TimeUnit.MILLISECONDS.toNanos(40));
        assertEquals(INTERVAL, queue.offer("b"));
        assertEquals(INTERVAL, queue.offer("c"));
        assertFalse(queue.standing());
        assertEquals("a", queue.poll());
        assertEquals("b", queue.poll());
        assertEquals("c", queue.poll());
        assertNull(queue.poll());
        assertTrue(queue.isEmpty());
    }

    @Test
    void aQueueNotEmptyForTheIntervalIsStandingShortWaitsNewestFirst() {
        queue.offer("old");
        now.addAndGet(TimeUnit.MILLISECONDS.toNanos(60));
        queue.offer("older-than-the-rest");
        assertFalse(queue.standing(), "non-empty for 60 ms of 100: still a burst");
        now.addAndGet(TimeUnit.MILLISECONDS.toNanos(41));
        assertTrue(queue.standing(), "non-empty for 101 ms");
        assertEquals(STANDING, queue.offer("new"));
        assertEquals(STANDING, queue.offer("newest"));
        assertEquals("newest", queue.poll());
        assertEquals("new", queue.poll());
    }

    @Test
    void emptyingTheQueueEndsTheStandingState() {
        queue.offer("a");
        now.addAndGet(TimeUnit.MILLISECONDS.toNanos(150));
        assertTrue(queue.standing());
        assertEquals("a", queue.poll());
        // Seen empty now: the next wait is a burst's again, even much later under the same load.
        assertEquals(INTERVAL, queue.offer("b"));
        now.addAndGet(TimeUnit.MILLISECONDS.toNanos(99));
        assertFalse(queue.standing());
        assertEquals(INTERVAL, queue.offer("c"));
        assertEquals("b", queue.poll());
    }

    @Test
    void aTimedOutWaiterLeavesAndAnEmptyQueueIsNoted() {
        queue.offer("a");
        now.addAndGet(TimeUnit.MILLISECONDS.toNanos(150));
        queue.remove("a");
        now.addAndGet(TimeUnit.MILLISECONDS.toNanos(1));
        queue.offer("b");
        assertFalse(queue.standing(), "the queue was empty 1 ms ago");
    }

    @Test
    void aTimeoutOrAFullQueueMarksOverloadForAnIntervalEvenIfTheQueueEmpties() {
        queue.offer("a");
        now.addAndGet(TimeUnit.MILLISECONDS.toNanos(5));
        queue.remove("a");
        queue.overflowed();
        now.addAndGet(TimeUnit.MILLISECONDS.toNanos(1));
        assertTrue(queue.standing(), "empty, but a waiter timed out 1 ms ago");
        assertEquals(STANDING, queue.offer("b"));
        assertEquals(STANDING, queue.offer("c"));
        assertEquals("c", queue.poll());
        assertEquals("b", queue.poll());
        now.addAndGet(TimeUnit.MILLISECONDS.toNanos(101));
        assertFalse(queue.standing(), "no overflow for the interval, and empty");
        assertEquals(INTERVAL, queue.offer("d"));
    }

    @Test
    void aStandingQueueHoldsFewWaitersABurstMany() {
        for (int i = 0; i < 10; i++) {
            assertEquals(INTERVAL, queue.offer("burst-" + i), "a burst may wait beyond the standing capacity");
        }
        queue.overflowed();
        assertEquals(-1, queue.offer("refused"), "standing with 10 waiters: full");
        for (int i = 0; i < 7; i++) {
            queue.poll();
        }
        assertEquals(STANDING, queue.offer("fourth"));
        assertEquals(-1, queue.offer("fifth"));
        assertEquals("fourth", queue.poll());
        queue.remove("burst-0");
        assertEquals(STANDING, queue.offer("room again"));
    }

    @Test
    void anIdleQueueIsNeverStanding() {
        now.addAndGet(TimeUnit.SECONDS.toNanos(10));
        assertFalse(queue.standing());
        assertEquals(INTERVAL, queue.offer("a"));
    }
}
