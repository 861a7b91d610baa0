package io.million.web.auth;

import java.util.Map;

import jakarta.inject.Singleton;

import io.million.web.problem.Problem;
import io.million.web.problem.ProblemMappers;
import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;

/**
 * Guards operator routes that live outside the REST layer (the operator API on the management
 * interface, which Quarkus' HTTP security does not cover for bearer tokens): the request needs a
 * bearer token that {@link BearerTokens} verifies (the same verifier and rules as the public API)
 * and the operator role.
 */
@Singleton
public class OperatorGuard {

    private final BearerTokens tokens;
    private final AuthConfig config;
    private final ProblemMappers problems;

    public OperatorGuard(BearerTokens tokens, AuthConfig config, ProblemMappers problems) {
        this.tokens = tokens;
        this.config = config;
        this.problems = problems;
    }

    /** A route handler that lets only operators through to the next handler. */
    public Handler<RoutingContext> handler() {
        return ctx -> {
            if (!config.enabled()) {
                ctx.next();
                return;
            }
            String header = ctx.request().getHeader("Authorization");
            tokens.caller(header).subscribe().with(caller -> {
                if (caller.has(config.operatorRole())) {
                    ctx.next();
                } else {
                    problems.send(ctx, Problem.of(403, "Forbidden", "Not allowed: needs the role "
                            + config.operatorRole()), Map.of("Cache-Control", "no-store"));
                }
            }, failure -> unauthorized(ctx, header != null));
        };
    }

    private void unauthorized(RoutingContext ctx, boolean tokenSent) {
        problems.send(ctx, AuthProblems.unauthorizedProblem(tokenSent),
                Map.of("WWW-Authenticate", AuthProblems.challenge(tokenSent), "Cache-Control", "no-store"));
    }
}
