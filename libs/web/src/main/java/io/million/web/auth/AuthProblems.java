package io.million.web.auth;

import java.util.Map;

import jakarta.ws.rs.core.Response;

import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

import io.million.web.problem.Problem;
import io.million.web.problem.ProblemMappers;
import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.ForbiddenException;
import io.quarkus.security.UnauthorizedException;
import io.vertx.core.http.HttpServerRequest;

/**
 * 401 and 403 as problem+json. A 401 carries {@code WWW-Authenticate: Bearer} (RFC 6750), with
 * {@code error="invalid_token"} when a token was sent but failed verification (signature, issuer,
 * audience, expiry, algorithm). The detail never echoes the token or the verifier's message.
 */
public class AuthProblems {

    static final String REALM = "Bearer realm=\"million\"";

    private final ProblemMappers problems;

    public AuthProblems(ProblemMappers problems) {
        this.problems = problems;
    }

    @ServerExceptionMapper
    public Response missing(UnauthorizedException e, HttpServerRequest request) {
        return unauthorized(request);
    }

    @ServerExceptionMapper
    public Response failed(AuthenticationFailedException e, HttpServerRequest request) {
        return unauthorized(request);
    }

    @ServerExceptionMapper
    public Response forbidden(ForbiddenException e, HttpServerRequest request) {
        return problems.render(Problem.of(403, "Forbidden",
                e.getMessage() != null ? "Not allowed: " + e.getMessage() : "Not allowed for this caller"),
                Map.of("Cache-Control", "no-store"), request);
    }

    private Response unauthorized(HttpServerRequest request) {
        boolean sent = request.getHeader("Authorization") != null;
        return problems.render(unauthorizedProblem(sent), Map.of("WWW-Authenticate", challenge(sent),
                "Cache-Control", "no-store"), request);
    }

    /** The problem of a 401: shared with the Vert.x routes of the operator API. */
    public static Problem unauthorizedProblem(boolean tokenSent) {
        return Problem.of(401, "Unauthorized", tokenSent ? "The bearer token is invalid or expired"
                : "A bearer token is required (Authorization: Bearer <token>)");
    }

    public static String challenge(boolean tokenSent) {
        return tokenSent ? REALM + ", error=\"invalid_token\"" : REALM;
    }
}
