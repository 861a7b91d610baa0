package io.million.web;

/**
 * The order of the Vert.x routes ahead of the REST layer, in one place (lower runs first):
 * compression setup, then load shedding (the cheapest refusal, before any work), then rate limits,
 * then input hygiene, then the hot paths of cache hits.
 */
public final class RouteOrder {

    /** Compression threshold and encoding choice (libs/web Compression). */
    public static final int COMPRESSION = Integer.MIN_VALUE;
    /** The adaptive concurrency limit (libs/web LoadShedding). */
    public static final int LOAD_SHEDDING = Integer.MIN_VALUE + 1;
    /** Client-address rate limits (libs/ratelimit). */
    public static final int RATE_LIMIT = Integer.MIN_VALUE + 2;
    /** Body sizes and query parameters that cannot be stored (libs/web BodyLimits, QueryInput). */
    public static final int INPUT = Integer.MIN_VALUE + 3;
    /** Cache-hit hot paths (the catalog's product route). */
    public static final int HOT_PATH = Integer.MIN_VALUE + 4;

    private RouteOrder() {
    }
}
