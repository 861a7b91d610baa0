package io.million.web.auth;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** Who may do what, under {@code million.auth}. */
@ConfigMapping(prefix = "million.auth")
public interface AuthConfig {

    /**
     * Off only to measure the bare path (perf/): every request then acts as an operator. Never
     * off in an environment that serves clients.
     */
    @WithDefault("true")
    boolean enabled();

    /** The role that may read and change every resource and use the operator API. */
    @WithDefault("operator")
    String operatorRole();

    TokenCache tokenCache();

    /** Verified tokens remembered per replica (VerifiedTokens). */
    interface TokenCache {
        @WithDefault("true")
        boolean enabled();

        /** At most this long, and never past the token's expiry. */
        @WithDefault("PT5M")
        java.time.Duration ttl();

        @WithDefault("10000")
        long maxSize();
    }
}
