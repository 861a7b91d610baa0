package io.million.ratelimit;

import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;

import io.million.web.RouteOrder;
import io.million.web.net.ClientAddress;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

/**
 * Client-address policies, ahead of everything else on the public router (the catalog's hot path
 * included): a hybrid decision is local and synchronous, a strict one waits for its Redis call.
 * The address is the peer's, or X-Forwarded-For's when the peer is a trusted proxy
 * ({@link ClientAddress}, {@code million.web.trusted-proxies}).
 */
@Singleton
public class RateLimitRoutes {

    private final RateLimits limits;
    private final ClientAddress clients;

    public RateLimitRoutes(RateLimits limits, ClientAddress clients) {
        this.limits = limits;
        this.clients = clients;
    }

    void install(@Observes Router router) {
        router.route().order(RouteOrder.RATE_LIMIT).handler(this::limit);
    }

    private void limit(RoutingContext ctx) {
        Policy policy = limits.addressPolicy(ctx.request().method().name(), ctx.request().path());
        if (policy == null) {
            ctx.next();
            return;
        }
        String key = clients.of(ctx.request());
        if (policy.mode() == RateLimitConfig.Mode.HYBRID) {
            apply(ctx, limits.limiter().tryLocal(policy, key));
        } else {
            limits.limiter().decide(policy, key).subscribe().with(decision -> apply(ctx, decision), ctx::fail);
        }
    }

    private void apply(RoutingContext ctx, Decision decision) {
        if (decision.allowed()) {
            limits.headers(ctx.response(), decision);
            ctx.next();
        } else {
            limits.problems().send(ctx, limits.problem(decision), limits.problemHeaders(decision));
        }
    }
}
