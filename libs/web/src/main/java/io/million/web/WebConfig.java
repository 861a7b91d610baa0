package io.million.web;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** Tunables of the shared HTTP layer, under {@code million.web}. */
@ConfigMapping(prefix = "million.web")
public interface WebConfig {

    Page page();

    Compression compression();

    Metrics metrics();

    Shedding shedding();

    /**
     * The adaptive concurrency limit in front of every public route (libs/web LoadShedding):
     * Netflix concurrency-limits' Vegas (or Gradient2) moves the limit with the latency it
     * measures; a request above it waits briefly in a bounded queue for a slot, and gets a fast 503
     * with Retry-After when the queue is full or its wait is over. The management port is never limited.
     */
    interface Shedding {
        @WithDefault("true")
        boolean enabled();

        /**
         * {@code gradient2}: the limit follows the ratio of a long-term to the recent latency
         * (tolerant of noise, slow to hold latency down); {@code vegas}: the limit keeps the queue
         * over the lowest latency seen (no-load) small, so admitted requests stay near it.
         */
        @WithDefault("vegas")
        String algorithm();

        /**
         * Vegas: the limit grows while the requests it estimates are queued (limit x (1 - no-load
         * latency / latency)) are at most this many times log10(limit) (at least 1), and comes
         * down above {@link #vegasBeta()} times it. The library's defaults are 3 and 6; 2 and 4 keep
         * fewer requests in flight past the point where latency grows (perf/overload: a listing
         * settles at 4 on one core, where its closed-loop throughput peaks, instead of 6-7).
         */
        @WithDefault("2")
        double vegasAlpha();

        /** Vegas: see {@link #vegasAlpha()}. */
        @WithDefault("4")
        double vegasBeta();

        /** Gradient2: latency may grow by this factor before the limit comes down. */
        @WithDefault("1.5")
        double rttTolerance();

        @WithDefault("100")
        int initialLimit();

        @WithDefault("2")
        int minLimit();

        @WithDefault("2000")
        int maxLimit();

        /**
         * Requests that may wait for a slot when the limit is full, all priorities together; a
         * request beyond them is refused at once. 0: none wait.
         */
        @WithDefault("32")
        int queue();

        /**
         * The longest a request waits for a slot before it is refused, while its priority's queue
         * has been empty within this long (a burst). A queue that has not been empty for this long
         * is standing (overload): see {@link #standingQueueTimeout()}.
         */
        @WithDefault("PT0.1S")
        java.time.Duration queueTimeout();

        /**
         * The longest a request waits for a slot while its queue is standing; the newest waiter is
         * then served first (controlled delay with adaptive LIFO, libs/web WaitQueue).
         */
        @WithDefault("PT0.005S")
        java.time.Duration standingQueueTimeout();

        /** Requests that may wait at once, per priority, while the queue is standing. */
        @WithDefault("4")
        int standingQueue();

        /** Seconds a shed client is asked to wait. */
        @WithDefault("1")
        int retryAfterSeconds();
    }

    /**
     * Largest request body, in bytes, per route: keys are path prefixes (the longest matching
     * prefix wins), e.g. {@code million.web.body-limits."/v1/orders"=16384}.
     * A larger declared body is a 413 problem before it is read; {@link #maxBodySize} applies to
     * routes not listed. Quarkus' {@code quarkus.http.limits.max-body-size} stays the backstop for
     * bodies sent without a length (chunked).
     */
    java.util.Map<String, Integer> bodyLimits();

    /** Largest request body, in bytes, of a route that {@link #bodyLimits} does not name. */
    @WithDefault("65536")
    int maxBodySize();

    /**
     * Proxies whose {@code X-Forwarded-For} is believed for the client's address (rate limits), as
     * CIDRs or bare addresses: HAProxy on loopback locally, the ingress controller's pod network in
     * Kubernetes (Helm: {@code global.trustedProxies}). See {@link io.million.web.net.ClientAddress}.
     */
    @WithDefault("127.0.0.0/8,::1/128")
    java.util.List<String> trustedProxies();

    interface Metrics {
        /**
         * Bucket bounds of {@code http_server_requests_seconds_bucket}: the latency SLO thresholds
         * that rules and dashboards use (observability/). Few on purpose: each costs a series per
         * route and status.
         */
        @WithDefault("PT0.025S,PT0.05S,PT0.1S,PT0.25S,PT0.5S,PT1S,PT2.5S")
        java.util.List<java.time.Duration> latencyBuckets();
    }

    interface Page {
        /** Items per page when the client sends no {@code limit}. */
        @WithDefault("20")
        int defaultLimit();

        /** Largest page served; a larger {@code limit} is capped to this. */
        @WithDefault("100")
        int maxLimit();
    }

    interface Compression {
        /** Responses smaller than this many bytes are sent uncompressed (not worth the CPU). */
        @WithDefault("1024")
        int minBytes();

        /** Offer brotli ({@code br}) when its native library loads; gzip and deflate are always on. */
        @WithDefault("true")
        boolean brotli();

        /** Brotli quality 0-11; 4 is a good speed/ratio point for dynamic responses. */
        @WithDefault("4")
        int brotliQuality();

        /** gzip/deflate level 1-9. */
        @WithDefault("6")
        int gzipLevel();
    }
}
