package io.million.ratelimit;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import jakarta.annotation.PreDestroy;
import jakarta.inject.Singleton;

import io.micrometer.core.instrument.MeterRegistry;
import io.million.web.problem.Problem;
import io.million.web.problem.ProblemMappers;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.redis.client.Redis;

/**
 * The service's rate limiter and its HTTP face: which policy covers a request, and the headers and
 * problem of a decision (draft-ietf-httpapi-ratelimit-headers-11: {@code RateLimit-Policy},
 * {@code RateLimit}; a refusal is a 429 problem with {@code Retry-After}; a fail-closed policy
 * without Redis is a 503 problem). The first matching policy of each key kind applies: client
 * address policies before the REST layer ({@link RateLimitRoutes}), subject policies after the
 * token is verified ({@link SubjectRateLimitFilter}).
 */
@Singleton
public class RateLimits {

    public static final String POLICY_HEADER = "RateLimit-Policy";
    public static final String HEADER = "RateLimit";
    private static final CharSequence POLICY_NAME = io.vertx.core.http.HttpHeaders.createOptimized(POLICY_HEADER);
    private static final CharSequence NAME = io.vertx.core.http.HttpHeaders.createOptimized(HEADER);
    /** Each policy's {@code RateLimit-Policy} value, built once. */
    private final Map<Policy, CharSequence> policyHeaders = new java.util.IdentityHashMap<>();

    private final RateLimitConfig config;
    private final RateLimiter limiter;
    private final List<Policy> byAddress = new ArrayList<>();
    private final List<Policy> bySubject = new ArrayList<>();
    private final ProblemMappers problems;

    public RateLimits(RateLimitConfig config, Vertx vertx, Redis redis, MeterRegistry metrics,
            ProblemMappers problems) {
        this.config = config;
        this.problems = problems;
        List<Policy> policies = new ArrayList<>();
        config.policies().entrySet().stream().sorted(Map.Entry.comparingByKey())
                .forEach(entry -> policies.add(Policy.of(entry.getKey(), entry.getValue())));
        for (Policy policy : policies) {
            (policy.key() == RateLimitConfig.Key.IP ? byAddress : bySubject).add(policy);
            policyHeaders.put(policy, io.vertx.core.http.HttpHeaders.createOptimized(policy.policyHeader()));
        }
        this.limiter = new RateLimiter(config.enabled() ? policies : List.of(), vertx, redis, config.redisTimeout(),
                config.syncInterval(), config.keyPrefix(), config.maxKeys(), metrics, System::nanoTime);
    }

    public RateLimiter limiter() {
        return limiter;
    }

    /** The client-address policy covering this request, or {@code null}. */
    public Policy addressPolicy(String method, String path) {
        return config.enabled() ? first(byAddress, method, path) : null;
    }

    /** The subject policy covering this request, or {@code null}. */
    public Policy subjectPolicy(String method, String path) {
        return config.enabled() ? first(bySubject, method, path) : null;
    }

    private static Policy first(List<Policy> policies, String method, String path) {
        for (Policy policy : policies) {
            if (policy.matches(method, path)) {
                return policy;
            }
        }
        return null;
    }

    /** Writes the decision's headers on every answer to a limited request. */
    public void headers(HttpServerResponse response, Decision decision) {
        response.putHeader(POLICY_NAME, policyHeaders.get(decision.policy()));
        response.putHeader(NAME, decision.header());
    }

    /** The problem of a refusal: 429 with Retry-After, or 503 for a fail-closed policy without Redis. */
    public Problem problem(Decision decision) {
        return decision.unavailable()
                ? Problem.of(503, "Service Unavailable", "The rate limit of " + decision.policy().name()
                        + " cannot be checked right now; retry shortly")
                : Problem.of(429, "Too Many Requests", "Over the " + decision.policy().name() + " limit of "
                        + decision.policy().limit() + " per " + decision.policy().window().toSeconds() + " s");
    }

    public Map<String, String> problemHeaders(Decision decision) {
        return Map.of("Retry-After", Long.toString(Math.max(1, decision.resetSeconds())), POLICY_HEADER,
                decision.policy().policyHeader(), HEADER, decision.header(), "Cache-Control", "no-store");
    }

    public ProblemMappers problems() {
        return problems;
    }

    @PreDestroy
    void close() {
        limiter.close();
    }
}
