package io.million.web.shedding;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiConsumer;
import java.util.function.LongSupplier;
import java.util.stream.Collectors;

import com.netflix.concurrency.limits.Limiter;

import io.vertx.core.Context;
import io.vertx.ext.web.RoutingContext;

/**
 * Admission under a concurrency limit: a request is run at once when the limiter has a slot for
 * its priority, otherwise it waits, briefly and in bounded number, for a slot to free, and is
 * refused when the wait queue is full or its wait passes the timeout. The wait absorbs a burst
 * above the limit instead of refusing it, and under overload turns a slot freed between two
 * arrivals into work at once (it would otherwise stay idle until the next arrival).
 * <p>
 * One {@link WaitQueue} per priority: a burst waits up to {@code timeout}, first come first served;
 * a standing queue (overload) lets a request wait only {@code standingTimeout} and serves the
 * newest first. A freed slot goes to a waiter of the first priority in {@code order} that the
 * limiter admits (cheap reads before listings and writes), and no arrival overtakes the waiters of
 * its own priority (it joins them). Thread-safe: requests park from and resume on their own
 * event loop, and whoever claims a waiter first (a freed slot or its timer) owns it. A waiting
 * request is paused, so a body it carries is neither read nor lost until it runs. Nothing blocks.
 * <p>
 * Written by hand: concurrency-limits' own backlogs ({@code BlockingLimiter},
 * {@code LifoBlockingLimiter}) block the calling thread until a slot frees, which an event loop
 * must never do.
 */
final class Admission {

    private final Limiter<String> limiter;
    private final List<String> order;
    private final Map<String, WaitQueue<Waiter>> queues;
    private final int capacity;
    private final AtomicInteger waiting = new AtomicInteger();
    private final AtomicInteger inflight = new AtomicInteger();
    private final BiConsumer<RoutingContext, String> refuse;

    /**
     * @param order           the priorities, first served first
     * @param capacity        requests that may wait at once, all priorities together (0: none wait)
     * @param timeout         the longest wait for a slot, and how long a queue stays non-empty before it is standing
     * @param standingTimeout the longest wait for a slot while the queue is standing
     * @param standingCapacity requests that may wait at once in a standing queue, per priority
     * @param clock           nanoseconds ({@code System::nanoTime})
     * @param refuse          answers a request refused, given its priority (on its event loop)
     */
    Admission(Limiter<String> limiter, List<String> order, int capacity, Duration timeout,
            Duration standingTimeout, int standingCapacity, LongSupplier clock,
            BiConsumer<RoutingContext, String> refuse) {
        this.limiter = limiter;
        this.order = order;
        this.queues = order.stream().collect(Collectors.toUnmodifiableMap(p -> p,
                p -> new WaitQueue<>(timeout.toNanos(), standingTimeout.toNanos(), standingCapacity, clock)));
        this.capacity = capacity;
        this.refuse = refuse;
    }

    /** Requests running now (admitted, not yet answered). */
    int inflight() {
        return inflight.get();
    }

    /** Requests waiting for a slot now. */
    int waiting() {
        return waiting.get();
    }

    /** Runs, parks or refuses the request. Called on its event loop. */
    void handle(RoutingContext ctx, String priority) {
        Optional<Limiter.Listener> slot = queues.get(priority).isEmpty() ? limiter.acquire(priority) : Optional.empty();
        if (slot.isPresent()) {
            run(ctx, slot.get());
        } else if (!park(ctx, priority)) {
            queues.get(priority).overflowed();
            refuse.accept(ctx, priority);
        }
    }

    /** Runs an admitted request; its slot is released when its answer ends, then handed on. */
    private void run(RoutingContext ctx, Limiter.Listener slot) {
        inflight.incrementAndGet();
        ctx.addEndHandler(ended -> {
            inflight.decrementAndGet();
            // Latency samples only from answers that did the work: a fast 503 of a dead shard or
            // a 4xx says nothing about this replica's capacity.
            int status = ctx.response().getStatusCode();
            if (ended.succeeded() && status < 400) {
                slot.onSuccess();
            } else {
                slot.onIgnore();
            }
            drain();
        });
        ctx.next();
    }

    /** Parks the request until a slot frees or the timeout passes; false (nothing parked) when full. */
    private boolean park(RoutingContext ctx, String priority) {
        if (waiting.incrementAndGet() > capacity) {
            waiting.decrementAndGet();
            return false;
        }
        Waiter waiter = new Waiter(ctx, ctx.vertx().getOrCreateContext());
        WaitQueue<Waiter> queue = queues.get(priority);
        // Parked before its timer is set: a slot freed meanwhile may already hand it on, but only on
        // this event loop, so after this method.
        long timeout = queue.offer(waiter);
        if (timeout < 0) {
            waiting.decrementAndGet();
            return false;
        }
        ctx.request().pause();
        waiter.timer = ctx.vertx().setTimer(Math.max(1, TimeUnit.NANOSECONDS.toMillis(timeout)), id -> {
            if (waiter.claim()) {
                waiting.decrementAndGet();
                queue.remove(waiter);
                queue.overflowed();
                ctx.request().resume();
                refuse.accept(ctx, priority);
            }
        });
        // A slot may have freed between the refusal and the parking: nobody else would notice.
        drain();
        return true;
    }

    /** Hands free slots to waiters, first priority first. Called whenever a slot frees. */
    private void drain() {
        boolean handed = true;
        while (handed && waiting.get() > 0) {
            handed = false;
            for (String priority : order) {
                WaitQueue<Waiter> queue = queues.get(priority);
                if (queue.isEmpty()) {
                    continue;
                }
                Optional<Limiter.Listener> slot = limiter.acquire(priority);
                if (slot.isEmpty()) {
                    continue;
                }
                Waiter waiter;
                do {
                    waiter = queue.poll();
                } while (waiter != null && !waiter.claim());
                if (waiter == null) {
                    slot.get().onIgnore();
                    continue;
                }
                waiting.decrementAndGet();
                waiter.resume(slot.get());
                handed = true;
            }
        }
    }

    /** A parked request. */
    private final class Waiter extends AtomicBoolean {
        private final RoutingContext ctx;
        private final Context context;
        private volatile long timer;

        Waiter(RoutingContext ctx, Context context) {
            this.ctx = ctx;
            this.context = context;
        }

        /** True for exactly one caller: the slot that admits it or the timer that refuses it. */
        boolean claim() {
            return compareAndSet(false, true);
        }

        /** Runs it on its own event loop (never inside another request's end handler). */
        void resume(Limiter.Listener slot) {
            context.runOnContext(v -> {
                ctx.vertx().cancelTimer(timer);
                if (ctx.response().closed()) {
                    // The client left while it waited: the slot goes to the next one.
                    slot.onIgnore();
                    drain();
                    return;
                }
                ctx.request().resume();
                run(ctx, slot);
            });
        }
    }
}
