package io.million.web.shedding;

import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;

import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;

import com.netflix.concurrency.limits.Limiter;
import com.netflix.concurrency.limits.Limit;
import com.netflix.concurrency.limits.limit.Gradient2Limit;
import com.netflix.concurrency.limits.limit.VegasLimit;
import com.netflix.concurrency.limits.limiter.AbstractPartitionedLimiter;

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
 * concurrency-limits; Vegas by default: the limit keeps the queue over the lowest latency seen
 * small; or Gradient2: the limit follows the ratio of a long-term to the recent latency) over the
 * requests in flight on this replica. On the overload bench (perf/overload) Vegas held the p99 of
 * admitted requests near the unloaded one where Gradient2 let its limit climb into the hundreds. A request above the limit is refused
 * at once with 503 + {@code Retry-After}, so the requests admitted keep their latency instead of
 * everyone queueing. Two priorities share the limit (partitions): cheap reads of one resource
 * (mostly cache hits) keep {@code cheap-share} of it when listings and writes compete. Only the
 * public router is limited: the management port (health, metrics, operator API) never sheds.
 * <p>
 * Metrics: {@code million_http_concurrency_limit}, {@code million_http_inflight} and
 * {@code million_http_shed_total{priority}}.
 */
@Singleton
public class LoadShedding {

    static final String CHEAP = "cheap";
    static final String COSTLY = "costly";

    /** The library's partitioned limiter, built with our two priorities. */
    private static final class Builder extends AbstractPartitionedLimiter.Builder<Builder, String> {
        @Override
        protected Builder self() {
            return this;
        }
    }

    void install(@Observes Router router, WebConfig config, ProblemMappers problems, MeterRegistry meters) {
        WebConfig.Shedding shedding = config.shedding();
        if (!shedding.enabled()) {
            return;
        }
        Limit limit = switch (shedding.algorithm()) {
            case "gradient2" -> Gradient2Limit.newBuilder()
                    .initialLimit(shedding.initialLimit())
                    .minLimit(shedding.minLimit())
                    .maxConcurrency(shedding.maxLimit())
                    .rttTolerance(shedding.rttTolerance())
                    .build();
            // Vegas has no floor of its own: the partitions' shares and the floor below keep a few
            // requests admitted whatever it measures.
            case "vegas" -> new FloorLimit(VegasLimit.newBuilder()
                    .initialLimit(shedding.initialLimit())
                    .maxConcurrency(shedding.maxLimit())
                    .build(), shedding.minLimit());
            default -> throw new IllegalArgumentException("million.web.shedding.algorithm: gradient2 or vegas, not "
                    + shedding.algorithm());
        };
        Limiter<String> limiter = new Builder().named("http").limit(limit)
                .partitionResolver(priority -> priority)
                .partition(CHEAP, shedding.cheapShare())
                .partition(COSTLY, 1 - shedding.cheapShare())
                .build();
        AtomicInteger inflight = new AtomicInteger();
        Gauge.builder("million.http.concurrency.limit", limit, l -> l.getLimit())
                .description("The adaptive concurrency limit of this replica's public port").register(meters);
        Gauge.builder("million.http.inflight", inflight, AtomicInteger::get)
                .description("Requests in flight on this replica's public port").register(meters);
        Map<String, Counter> shed = Map.of(
                CHEAP, meters.counter("million.http.shed", "priority", CHEAP),
                COSTLY, meters.counter("million.http.shed", "priority", COSTLY));
        ProblemMappers.Prepared overloaded = problems.prepare(Problem.of(503, "Service Unavailable",
                "This replica is at its concurrency limit; retry shortly"),
                Map.of("Retry-After", Integer.toString(shedding.retryAfterSeconds())));
        router.route().order(RouteOrder.LOAD_SHEDDING).handler(ctx -> {
            String priority = priority(ctx);
            Optional<Limiter.Listener> admitted = limiter.acquire(priority);
            if (admitted.isEmpty()) {
                shed.get(priority).increment();
                overloaded.send(ctx);
                return;
            }
            Limiter.Listener listener = admitted.get();
            inflight.incrementAndGet();
            ctx.addEndHandler(ended -> {
                inflight.decrementAndGet();
                // Latency samples only from answers that did the work: a fast 503 of a dead shard or
                // a 4xx says nothing about this replica's capacity.
                int status = ctx.response().getStatusCode();
                if (ended.succeeded() && status < 400) {
                    listener.onSuccess();
                } else {
                    listener.onIgnore();
                }
            });
            ctx.next();
        });
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
