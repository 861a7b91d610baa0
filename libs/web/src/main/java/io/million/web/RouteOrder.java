package io.million.web;

/**
 * The order of the Vert.x routes ahead of the REST layer, in one place (lower runs first):
 * compression setup, then rate limits (before anything answers), then input hygiene, then the hot
 * paths of cache hits.
 */
public final class RouteOrder {

    /** Compression threshold and encoding choice (libs/web Compression). */
    public static final int COMPRESSION = Integer.MIN_VALUE;
    /** Client-address rate limits (libs/ratelimit). */
    public static final int RATE_LIMIT = Integer.MIN_VALUE + 1;
    /** Query parameters that cannot be stored (libs/web QueryInput). */
    public static final int INPUT = Integer.MIN_VALUE + 2;
    /** Cache-hit hot paths (the catalog's product route). */
    public static final int HOT_PATH = Integer.MIN_VALUE + 3;

    private RouteOrder() {
    }
}
