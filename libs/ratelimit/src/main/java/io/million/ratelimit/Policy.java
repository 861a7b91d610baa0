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
            int space = pattern.indexOf(' ');
            String m = pattern.substring(0, space);
            String p = pattern.substring(space + 1);
            if (!m.equals("*") && !m.equalsIgnoreCase(method)) {
                continue;
            }
            if (p.endsWith("*") ? path.startsWith(p.substring(0, p.length() - 1)) : path.equals(p)) {
                return true;
            }
        }
        return false;
    }
}
