package io.million.web.auth;

import java.util.Arrays;

import jakarta.enterprise.context.ApplicationScoped;


import io.quarkus.security.ForbiddenException;
import io.quarkus.vertx.http.runtime.CurrentVertxRequest;
import io.smallrye.mutiny.Uni;
import io.vertx.ext.web.RoutingContext;

/**
 * Ownership and role checks for REST resources. The bearer token is verified here, on first need
 * ({@link BearerTokens}: SmallRye JWT's verifier, verified tokens remembered), once per request; a
 * route that never asks for a caller (the catalog's reads) never pays for it. No token: 401; a bad token: 401 ({@code invalid_token}); a caller
 * that is neither the owner nor holds a granted role: 403 (see {@link AuthProblems}). The operator
 * role passes every check.
 */
@ApplicationScoped
public class Access {

    /** The OpenAPI name of the bearer scheme (quarkus.smallrye-openapi.security-scheme-name), for {@code @SecurityRequirement(name = Access.SCHEME)}. */
    public static final String SCHEME = "bearer";

    /** Where the request's caller is kept once verified (one verification per request). */
    private static final String CALLER = Access.class.getName() + ".caller";

    private final BearerTokens tokens;
    private final CurrentVertxRequest request;
    private final AuthConfig config;

    public Access(BearerTokens tokens, CurrentVertxRequest request, AuthConfig config) {
        this.tokens = tokens;
        this.request = request;
        this.config = config;
    }

    /** Any authenticated caller. */
    public Uni<Caller> caller() {
        if (!config.enabled()) {
            return Uni.createFrom().item(Caller.ANYONE);
        }
        RoutingContext ctx = request.getCurrent();
        Caller known = ctx.get(CALLER);
        if (known != null) {
            return Uni.createFrom().item(known);
        }
        return tokens.caller(ctx.request().getHeader("Authorization")).invoke(caller -> ctx.put(CALLER, caller));
    }

    /** The user {@code userId} itself, or a caller with one of {@code roles} (or operator). */
    public Uni<Caller> selfOr(long userId, String... roles) {
        return caller().invoke(caller -> {
            if (!caller.is(userId) && !hasAny(caller, roles)) {
                throw new ForbiddenException("only the user itself or " + describe(roles) + " may do this");
            }
        });
    }

    /** A caller holding one of {@code roles} (or operator). */
    public Uni<Caller> role(String... roles) {
        return caller().invoke(caller -> {
            if (!hasAny(caller, roles)) {
                throw new ForbiddenException("needs the role " + describe(roles));
            }
        });
    }

    /** Fails with 403 unless {@code caller} owns the resource of {@code ownerId} or is an operator. */
    public void requireOwner(Caller caller, long ownerId) {
        if (!caller.is(ownerId) && !caller.has(config.operatorRole())) {
            throw new ForbiddenException("this resource belongs to another user");
        }
    }

    private boolean hasAny(Caller caller, String... roles) {
        return caller.has(config.operatorRole()) || Arrays.stream(roles).anyMatch(caller::has);
    }

    private String describe(String... roles) {
        return String.join(" or ", Arrays.stream(roles).toList()) + (roles.length == 0 ? "" : " or ")
                + config.operatorRole();
    }
}
