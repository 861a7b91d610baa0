package io.million.web.auth;

import java.util.Arrays;
import java.util.Set;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.jwt.JsonWebToken;
import org.eclipse.microprofile.openapi.annotations.enums.SecuritySchemeType;
import org.eclipse.microprofile.openapi.annotations.security.SecurityScheme;

import io.quarkus.security.ForbiddenException;
import io.quarkus.security.UnauthorizedException;
import io.quarkus.security.identity.CurrentIdentityAssociation;
import io.quarkus.security.identity.SecurityIdentity;
import io.smallrye.mutiny.Uni;

/**
 * Ownership and role checks for REST resources. Authentication is lazy (not proactive), so the
 * bearer token is verified here, on first need, by SmallRye JWT; a route that never asks for a
 * caller never pays for it. No token: 401; a bad token: 401 ({@code invalid_token}); a caller
 * that is neither the owner nor holds a granted role: 403 (see {@link AuthProblems}). The operator
 * role passes every check.
 */
@ApplicationScoped
@SecurityScheme(securitySchemeName = Access.SCHEME, type = SecuritySchemeType.HTTP, scheme = "bearer",
        bearerFormat = "JWT", description = "RS256 JWT: sub = user id, groups = roles (operator, catalog-admin)")
public class Access {

    /** The OpenAPI name of the bearer scheme, for {@code @SecurityRequirement(name = Access.SCHEME)}. */
    public static final String SCHEME = "bearer";

    private final CurrentIdentityAssociation identities;
    private final AuthConfig config;

    public Access(CurrentIdentityAssociation identities, AuthConfig config) {
        this.identities = identities;
        this.config = config;
    }

    /** Any authenticated caller. */
    public Uni<Caller> caller() {
        if (!config.enabled()) {
            return Uni.createFrom().item(Caller.ANYONE);
        }
        return identities.getDeferredIdentity().map(this::toCaller);
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

    private Caller toCaller(SecurityIdentity identity) {
        if (identity.isAnonymous()) {
            throw new UnauthorizedException("a bearer token is required");
        }
        String subject = identity.getPrincipal() instanceof JsonWebToken jwt ? jwt.getSubject()
                : identity.getPrincipal().getName();
        return new Caller(subject, Set.copyOf(identity.getRoles()), false);
    }
}
