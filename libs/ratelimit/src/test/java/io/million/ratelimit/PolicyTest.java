package io.million.ratelimit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;

class PolicyTest {

    private static Policy policy(String... match) {
        return new Policy("reads", List.of(match), RateLimitConfig.Key.IP, RateLimitConfig.Algorithm.SLIDING_WINDOW,
                100, Duration.ofSeconds(1), 100, RateLimitConfig.Mode.HYBRID, true);
    }

    @Test
    void patternsMatchMethodAndPathPrefixOrExactPath() {
        Policy prefix = policy("GET /v1/*");
        assertTrue(prefix.matches("GET", "/v1/products/1"));
        assertTrue(prefix.matches("get", "/v1/"));
        assertFalse(prefix.matches("POST", "/v1/products"));
        assertFalse(prefix.matches("GET", "/v2/products"));
        assertFalse(prefix.matches("GETS", "/v1/products"));
        Policy exact = policy("POST /v1/users");
        assertTrue(exact.matches("POST", "/v1/users"));
        assertFalse(exact.matches("POST", "/v1/users/1"));
        assertFalse(exact.matches("POST", "/v1/user"));
        Policy any = policy("* /v1/orders*", "DELETE /v1/users/*");
        assertTrue(any.matches("PATCH", "/v1/orders/7"));
        assertTrue(any.matches("DELETE", "/v1/users/3"));
        assertFalse(any.matches("GET", "/v1/users/3"));
    }

    @Test
    void headersFollowTheRateLimitHeadersDraft() {
        assertEquals("\"reads\";q=100;w=1", policy("GET /v1/*").policyHeader());
        assertEquals("\"reads\";r=7;t=1", new Decision(policy("GET /v1/*"), true, 7, 1, false).header());
    }

    @Test
    void badPoliciesAreRefusedAtStartUp() {
        assertThrows(IllegalArgumentException.class, () -> policy("/v1/users"));
        assertThrows(IllegalArgumentException.class, () -> new Policy("bad name", List.of("GET /"),
                RateLimitConfig.Key.IP, RateLimitConfig.Algorithm.TOKEN_BUCKET, 1, Duration.ofSeconds(1), 1,
                RateLimitConfig.Mode.HYBRID, true));
        assertThrows(IllegalArgumentException.class, () -> new Policy("zero", List.of("GET /"),
                RateLimitConfig.Key.IP, RateLimitConfig.Algorithm.TOKEN_BUCKET, 0, Duration.ofSeconds(1), 1,
                RateLimitConfig.Mode.HYBRID, true));
    }
}
