package io.million.ratelimit;

import jakarta.ws.rs.core.Response;

import org.jboss.resteasy.reactive.server.ServerRequestFilter;

import io.million.web.auth.Access;
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
    private final Access access;

    public SubjectRateLimitFilter(RateLimits limits, Access access) {
        this.limits = limits;
        this.access = access;
    }

    @ServerRequestFilter
    public Uni<Response> limit(HttpServerRequest request, RoutingContext ctx) {
        Policy policy = limits.subjectPolicy(request.method().name(), request.path());
        if (policy == null || request.getHeader("Authorization") == null) {
            return null;
        }
        return access.caller().onFailure().recoverWithNull().chain(caller -> {
            if (caller == null || caller.subject() == null) {
                return Uni.createFrom().nullItem();
            }
            return limits.limiter().decide(policy, caller.subject()).map(decision -> {
                if (decision.allowed()) {
                    limits.headers(ctx.response(), decision);
                    return null;
                }
                return limits.problems().render(limits.problem(decision), limits.problemHeaders(decision), request);
            });
        });
    }
}
