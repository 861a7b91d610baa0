package io.million.web.problem;

import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;

import io.vertx.ext.web.Router;

/**
 * Requests that no route handles (an unknown path) get a problem+json 404 rather than the
 * router's plain-text page. Installed last, so every real route, {@code /q/*} included, runs first.
 */
@Singleton
public class UnmatchedRoutes {

    void install(@Observes Router router, ProblemMappers problems) {
        router.route().last().handler(ctx -> problems.send(ctx,
                Problem.of(404, "Not Found", "No resource at " + ctx.request().path()), java.util.Map.of()));
    }
}
