package io.million.web.auth;

import java.util.Map;

import jakarta.inject.Singleton;

import org.eclipse.microprofile.jwt.JsonWebToken;

import io.million.web.problem.Problem;
import io.million.web.problem.ProblemMappers;
import io.smallrye.jwt.auth.principal.JWTParser;
import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;

/**
 * Guards operator routes that live outside the REST layer (the operator API on the management
 * interface, which Quarkus' HTTP security does not cover for bearer tokens): the request needs a
 * bearer token that SmallRye JWT verifies with the same key, issuer and audience as the public
 * API, and the operator role. Verification runs on a worker thread (a JWKS URL may be fetched).
 */
@Singleton
public class OperatorGuard {

    private static final String BEARER = "Bearer ";

    private final JWTParser parser;
    private final AuthConfig config;
    private final ProblemMappers problems;

    public OperatorGuard(JWTParser parser, AuthConfig config, ProblemMappers problems) {
        this.parser = parser;
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
            if (header == null || !header.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
                unauthorized(ctx, header != null);
                return;
            }
            String token = header.substring(BEARER.length()).trim();
            ctx.vertx().<JsonWebToken>executeBlocking(() -> parser.parse(token), false).onComplete(result -> {
                if (result.failed()) {
                    unauthorized(ctx, true);
                } else if (result.result().getGroups() == null
                        || !result.result().getGroups().contains(config.operatorRole())) {
                    problems.send(ctx, Problem.of(403, "Forbidden", "Not allowed: needs the role "
                            + config.operatorRole()), Map.of("Cache-Control", "no-store"));
                } else {
                    ctx.next();
                }
            });
        };
    }

    private void unauthorized(RoutingContext ctx, boolean tokenSent) {
        problems.send(ctx, AuthProblems.unauthorizedProblem(tokenSent),
                Map.of("WWW-Authenticate", AuthProblems.challenge(tokenSent), "Cache-Control", "no-store"));
    }
}
