package io.million.cache;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/**
 * The edge caches in front of the service ({@code million.edge}), for purges by surrogate key
 * ({@link EdgePurger}). Locally: Varnish with xkey ({@code PURGE /} with {@code xkey-purge: <keys>}).
 * A CDN is the same three settings, e.g. Fastly: endpoints
 * {@code https://api.fastly.com/service/<service id>/purge}, method {@code POST}, keys header
 * {@code Surrogate-Key} and {@code million.edge.purge.headers.Fastly-Key=${FASTLY_API_TOKEN}}.
 */
@ConfigMapping(prefix = "million.edge")
public interface EdgeConfig {

    Purge purge();

    interface Purge {
        /** Where purges go, each one gets every purge (several Varnish instances, or a CDN's API). None: off. */
        Optional<List<URI>> endpoints();

        /** The purge request's method. */
        @WithDefault("PURGE")
        String method();

        /** The header that carries the space-separated surrogate keys. */
        @WithDefault("xkey-purge")
        String keysHeader();

        /** Extra headers of every purge request (a CDN's API token, from a secret). */
        Map<String, String> headers();

        /** One purge request's deadline; the write that asked for it waits at most this long. */
        @WithDefault("PT1S")
        Duration timeout();

        /** Attempts per endpoint: a failed first one is retried in the background after {@code retry-delay}. */
        @WithDefault("3")
        int attempts();

        @WithDefault("PT1S")
        Duration retryDelay();

        /**
         * A second purge this long after the first (0: none). Other replicas drop their L1 copy when
         * the Redis invalidation reaches them, a moment after the write: an edge miss that lands on
         * one of them in between could store the old version again, and the second purge removes it.
         */
        @WithDefault("PT0.5S")
        Duration repeatAfter();
    }
}
