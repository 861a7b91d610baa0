package io.million.web.input;

import java.util.Comparator;
import java.util.List;
import java.util.Map;

import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;

import io.million.web.RouteOrder;
import io.million.web.WebConfig;
import io.million.web.problem.Problem;
import io.million.web.problem.ProblemMappers;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

/**
 * Refuses a request whose declared body ({@code Content-Length}) is larger than its route allows
 * ({@code million.web.body-limits}, else {@code million.web.max-body-size}) with a 413 problem,
 * before a byte of it is read. Requests without a body pay one header lookup.
 */
@Singleton
public class BodyLimits {

    private record Limit(String prefix, int bytes) {
    }

    void install(@Observes Router router, ProblemMappers problems, WebConfig config) {
        List<Limit> limits = config.bodyLimits().entrySet().stream().map(BodyLimits::limit)
                .sorted(Comparator.comparingInt((Limit limit) -> limit.prefix().length()).reversed()).toList();
        int fallback = config.maxBodySize();
        router.route().order(RouteOrder.INPUT).handler(ctx -> check(ctx, problems, limits, fallback));
    }

    private static Limit limit(Map.Entry<String, Integer> entry) {
        if (!entry.getKey().startsWith("/")) {
            throw new IllegalStateException("million.web.body-limits.\"" + entry.getKey()
                    + "\": the key must be a path prefix such as \"/v1/orders\"");
        }
        return new Limit(entry.getKey(), entry.getValue());
    }

    private static void check(RoutingContext ctx, ProblemMappers problems, List<Limit> limits, int fallback) {
        String declared = ctx.request().getHeader(HttpHeaders.CONTENT_LENGTH);
        if (declared == null) {
            ctx.next();
            return;
        }
        long length;
        try {
            length = Long.parseLong(declared.strip());
        } catch (NumberFormatException e) {
            length = Long.MAX_VALUE; // the HTTP codec refuses it anyway; never read an unbounded body
        }
        int allowed = fallback;
        String path = ctx.normalizedPath();
        for (Limit limit : limits) {
            if (path.startsWith(limit.prefix())) {
                allowed = limit.bytes();
                break;
            }
        }
        if (length <= allowed) {
            ctx.next();
            return;
        }
        ctx.response().putHeader(HttpHeaders.CONNECTION, "close"); // the unread body must not reach the next request
        problems.send(ctx, Problem.of(413, "Content Too Large", "The body is " + length + " bytes; "
                + path + " accepts at most " + allowed), Map.of());
    }
}
