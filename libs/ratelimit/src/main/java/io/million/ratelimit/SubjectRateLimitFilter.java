package io.million.ratelimit;

import jakarta.ws.rs.core.Response;

import org.jboss.resteasy.reactive.server.ServerRequestFilter;

import io.quarkus.security.identity.CurrentIdentityAssociation;
import io.quarkus.security.identity.SecurityIdentity;
import io.smallrye.mutiny.Uni;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.RoutingContext;

/**
 * Subject policies (per verified token subject, e.g. writes per user), in the REST layer: the key
 * is the subject of a token SmallRye JWT has verified, so nobody spends another user's quota by
 * naming it. Requests without a valid token are not counted here; the resource answers 401.
 */
public class SubjectRateLimitFilter {

    private final RateLimits limits;
    private final CurrentIdentityAssociation identities;

    public SubjectRateLimitFilter(RateLimits limits, CurrentIdentityAssociation identities) {
        this.limits = limits;
        this.identities = identities;
    }

    @ServerRequestFilter
    public Uni<Response> limit(HttpServerRequest request, RoutingContext ctx) {
        Policy policy = limits.subjectPolicy(request.method().name(), request.path());
        if (policy == null || request.getHeader("Authorization") == null) {
            return null;
        }
        return identities.getDeferredIdentity().onFailure().recoverWithNull().chain(identity -> {
            if (identity == null || identity.isAnonymous()) {
                return Uni.createFrom().nullItem();
            }
            return limits.limiter().decide(policy, subject(identity)).map(decision -> {
                if (decision.allowed()) {
                    limits.headers(ctx.response(), decision);
                    return null;
                }
                return limits.problems().render(limits.problem(decision), limits.problemHeaders(decision), request);
            });
        });
    }

    private static String subject(SecurityIdentity identity) {
        return identity.getPrincipal() instanceof org.eclipse.microprofile.jwt.JsonWebToken jwt && jwt.getSubject() != null
                ? jwt.getSubject()
                : identity.getPrincipal().getName();
    }
}
