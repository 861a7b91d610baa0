package io.million.web.shedding;

import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;

import com.netflix.concurrency.limits.Limit;
import com.netflix.concurrency.limits.Limiter;
import com.netflix.concurrency.limits.limit.Gradient2Limit;
import com.netflix.concurrency.limits.limit.VegasLimit;
import com.netflix.concurrency.limits.limiter.SimpleLimiter;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.million.web.RouteOrder;
import io.million.web.WebConfig;
import io.million.web.problem.Problem;
import io.million.web.problem.ProblemMappers;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

/**
 * Adaptive load shedding ahead of every public handler: an adaptive concurrency limit (Netflix
 * concurrency-limits; Vegas by default: the limit keeps the queue it estimates over the lowest
 * latency seen small; or Gradient2: the limit follows the ratio of a long-term to the recent
 * latency) over the requests in flight on this replica, one limit per priority: cheap reads of one
 * resource (mostly cache hits, tens of microseconds) and costly listings and writes (shard
 * queries, milliseconds). Apart, each limit measures its own latency: one shared limit took the
 * cache hits' latency as the no-load latency of the listings too, saw a queue in every listing and
 * sat at its floor.
 * <p>
 * A request above its limit waits for a slot in a bounded queue ({@link Admission}: at most
 * {@code queue} requests; controlled delay with adaptive LIFO, {@link WaitQueue}): a burst waits up
 * to {@code queue-timeout}, while under overload (a queue that has not emptied for that long, or
 * that overflowed within it) at most {@code standing-queue} requests wait, each at most
 * {@code standing-queue-timeout}, and the newest waiter is served first. Beyond
 * that it is refused at once with 503 + {@code Retry-After}, so the requests admitted keep their
 * latency instead of everyone queueing; a freed slot goes to a waiting cheap read first.
 * Measured on perf/overload (a listing at twice its capacity): see perf/README.md. Only the public
 * router is limited: the management port (health, metrics, operator API) never sheds.
 * <p>
 * Metrics: {@code million_http_concurrency_limit{priority}}, {@code million_http_inflight},
 * {@code million_http_waiting} and {@code million_http_shed_total{priority}}.
 */
@Singleton
public class LoadShedding {

    static final String CHEAP = "cheap";
    static final String COSTLY = "costly";
    /** The priorities, first served first. */
    static final List<String> PRIORITIES = List.of(CHEAP, COSTLY);

    void install(@Observes Router router, WebConfig config, ProblemMappers problems, MeterRegistry meters) {
        WebConfig.Shedding shedding = config.shedding();
        if (!shedding.enabled()) {
            return;
        }
        Map<String, Limit> limits = PRIORITIES.stream().collect(Collectors.toUnmodifiableMap(Function.identity(),
                priority -> limit(shedding)));
        Map<String, Limiter<Void>> limiters = PRIORITIES.stream().collect(Collectors.toUnmodifiableMap(
                Function.identity(), priority -> SimpleLimiter.newBuilder().named("http-" + priority)
                        .limit(limits.get(priority)).build()));
        Map<String, Counter> shed = PRIORITIES.stream().collect(Collectors.toUnmodifiableMap(Function.identity(),
                priority -> meters.counter("million.http.shed", "priority", priority)));
        ProblemMappers.Prepared overloaded = problems.prepare(Problem.of(503, "Service Unavailable",
                "This replica is at its concurrency limit; retry shortly"),
                Map.of("Retry-After", Integer.toString(shedding.retryAfterSeconds())));
        Admission admission = new Admission(priority -> limiters.get(priority).acquire(null), PRIORITIES,
                shedding.queue(), shedding.queueTimeout(), shedding.standingQueueTimeout(),
                shedding.standingQueue(), System::nanoTime,
                (ctx, priority) -> {
                    shed.get(priority).increment();
                    overloaded.send(ctx);
                });
        limits.forEach((priority, limit) -> Gauge.builder("million.http.concurrency.limit", limit, Limit::getLimit)
                .tag("priority", priority)
                .description("The adaptive concurrency limit of this replica's public port, per priority")
                .register(meters));
        Gauge.builder("million.http.inflight", admission, Admission::inflight)
                .description("Requests in flight on this replica's public port").register(meters);
        Gauge.builder("million.http.waiting", admission, Admission::waiting)
                .description("Requests waiting for a slot under this replica's concurrency limits").register(meters);
        router.route().order(RouteOrder.LOAD_SHEDDING).handler(ctx -> admission.handle(ctx, priority(ctx)));
    }

    private static Limit limit(WebConfig.Shedding shedding) {
        return switch (shedding.algorithm()) {
            case "gradient2" -> Gradient2Limit.newBuilder()
                    .initialLimit(shedding.initialLimit())
                    .minLimit(shedding.minLimit())
                    .maxConcurrency(shedding.maxLimit())
                    .rttTolerance(shedding.rttTolerance())
                    .build();
            // Vegas has no floor of its own.
            case "vegas" -> new FloorLimit(VegasLimit.newBuilder()
                    .alphaFunction(l -> queueBound(shedding.vegasAlpha(), l))
                    .betaFunction(l -> queueBound(shedding.vegasBeta(), l))
                    .initialLimit(shedding.initialLimit())
                    .maxConcurrency(shedding.maxLimit())
                    .build(), shedding.minLimit());
            default -> throw new IllegalArgumentException("million.web.shedding.algorithm: gradient2 or vegas, not "
                    + shedding.algorithm());
        };
    }

    /** Vegas' queue bounds as the library shapes them: factor x log10(limit), log10 at least 1. */
    private static int queueBound(double factor, int limit) {
        return (int) Math.max(1, factor * Math.max(1, Math.floor(Math.log10(limit))));
    }

    /** A limit that never reports less than {@code floor}: concurrency-limits has no such decorator. */
    private record FloorLimit(Limit delegate, int floor) implements Limit {
        @Override
        public int getLimit() {
            return Math.max(floor, delegate.getLimit());
        }

        @Override
        public void notifyOnChange(java.util.function.Consumer<Integer> consumer) {
            delegate.notifyOnChange(limit -> consumer.accept(Math.max(floor, limit)));
        }

        @Override
        public void onSample(long startTime, long rtt, int inflight, boolean didDrop) {
            delegate.onSample(startTime, rtt, inflight, didDrop);
        }
    }

    /** Cheap: a GET of one resource ({@code /v1/<collection>/<id>...}); costly: listings and writes. */
    static String priority(RoutingContext ctx) {
        if (ctx.request().method() != HttpMethod.GET) {
            return COSTLY;
        }
        String path = ctx.request().path();
        // "/v1/products" is a listing; "/v1/products/123" and "/v1/products/123/stock" are single reads.
        int second = path.indexOf('/', 4);
        return second > 0 && second < path.length() - 1 ? CHEAP : COSTLY;
    }
}
