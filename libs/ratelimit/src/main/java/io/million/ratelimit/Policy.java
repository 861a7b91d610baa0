package io.million.ratelimit;

import java.time.Duration;
import java.util.List;

/**
 * A rate limit policy, resolved from {@link RateLimitConfig.PolicyConfig}: {@code limit} requests
 * per {@code window}, counted per key. {@code policyHeader} is its {@code RateLimit-Policy} item
 * (draft-ietf-httpapi-ratelimit-headers-11), built once.
 */
public record Policy(String name, List<String> match, RateLimitConfig.Key key, RateLimitConfig.Algorithm algorithm,
        int limit, Duration window, int burst, RateLimitConfig.Mode mode, boolean failOpen) {

    public Policy {
        if (limit < 1) {
            throw new IllegalArgumentException("policy " + name + ": limit must be at least 1");
        }
        if (window.isNegative() || window.isZero()) {
            throw new IllegalArgumentException("policy " + name + ": window must be positive");
        }
        if (!name.matches("[A-Za-z0-9_-]+")) {
            throw new IllegalArgumentException("policy " + name + ": names are letters, digits, '-' and '_'");
        }
        for (String pattern : match) {
            if (!pattern.matches("(\\*|[A-Z]+) /\\S*")) {
                throw new IllegalArgumentException("policy " + name + ": match '" + pattern
                        + "' must look like 'GET /v1/users' or 'POST /v1/*'");
            }
        }
    }

    static Policy of(String name, RateLimitConfig.PolicyConfig config) {
        int limit = config.limit();
        return new Policy(name, List.copyOf(config.match()), config.key(), config.algorithm(), limit, config.window(),
                config.burst().orElse(limit), config.mode(), config.onRedisDown() == RateLimitConfig.RedisDown.OPEN);
    }

    public long windowNanos() {
        return window.toNanos();
    }

    /** {@code "name";q=100;w=1}: the quota and its window in seconds (at least 1). */
    public String policyHeader() {
        return "\"" + name + "\";q=" + (algorithm == RateLimitConfig.Algorithm.TOKEN_BUCKET ? burst : limit)
                + ";w=" + Math.max(1, window.toSeconds());
    }

    /** Whether {@code method} and {@code path} are covered by one of this policy's patterns. */
    public boolean matches(String method, String path) {
        for (String pattern : match) {
            if (Route.matches(pattern, method, path)) {
                return true;
            }
        }
        return false;
    }

    /** {@code "METHOD /path"} with {@code *} as any method, and a trailing {@code *} as any rest. */
    static final class Route {
        private Route() {
        }

        /** Compares in place, without allocating: this runs for every request. */
        static boolean matches(String pattern, String method, String path) {
            int space = pattern.indexOf(' ');
            boolean anyMethod = space == 1 && pattern.charAt(0) == '*';
            if (!anyMethod && (space != method.length() || !pattern.regionMatches(true, 0, method, 0, space))) {
                return false;
            }
            int start = space + 1;
            int length = pattern.length() - start;
            if (pattern.charAt(pattern.length() - 1) == '*') {
                return path.regionMatches(0, pattern, start, length - 1);
            }
            return length == path.length() && path.regionMatches(0, pattern, start, length);
        }
    }
}
