package io.million.web.input;

import java.util.Map;

import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;

import io.million.web.RouteOrder;
import io.million.web.problem.ProblemException;
import io.million.web.problem.ProblemMappers;
import io.million.web.problem.UnstorableText;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

/**
 * Query parameters PostgreSQL could not store (an encoded NUL, {@code %00}) are refused before any
 * handler runs, with a 400 naming the parameter. A request without {@code %00} in its query (all
 * but hostile ones) costs one substring search.
 */
@Singleton
public class QueryInput {

    void install(@Observes Router router, ProblemMappers problems) {
        router.route().order(RouteOrder.INPUT).handler(ctx -> check(ctx, problems));
    }

    private static void check(RoutingContext ctx, ProblemMappers problems) {
        String query = ctx.request().query();
        if (query == null || !query.contains("%00")) {
            ctx.next();
            return;
        }
        String field = "query";
        for (Map.Entry<String, String> parameter : ctx.queryParams()) {
            if (UnstorableText.contains(parameter.getKey()) || UnstorableText.contains(parameter.getValue())) {
                field = UnstorableText.contains(parameter.getKey()) ? "query" : parameter.getKey();
                break;
            }
        }
        problems.sendFailure(ctx, ProblemException.badInput(field, UnstorableText.MESSAGE));
    }
}
