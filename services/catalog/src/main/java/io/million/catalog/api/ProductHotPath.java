package io.million.catalog.api;

import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;

import io.million.cache.Representation;
import io.million.cache.TieredCache;
import io.million.web.Preconditions;
import io.million.web.format.Cbor;
import io.million.web.format.Format;
import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.Router;

/**
 * The cache-hit path of {@code GET /v1/products/{id}}: a Vert.x route ahead of the REST layer
 * writes the L1 representation's bytes and headers, with no database, Redis, serialization or
 * blocking, in JSON or CBOR (the CBOR body is made once per L1 entry and kept with it). Anything
 * else (an L1 miss, a cached 404, a query string such as {@code ?fields=}, an Accept naming
 * neither format) goes on to {@code ProductResource}, which loads and fills L1. Same headers
 * either way.
 */
@Singleton
public class ProductHotPath {

    private static final String PATH = "/v1/products/:id";
    private static final CharSequence JSON = HttpHeaders.createOptimized("application/json;charset=UTF-8");
    private static final CharSequence CBOR = HttpHeaders.createOptimized(Format.CBOR_TYPE);
    /** Spelled as the REST layer's answers spell it (Vert.x's constant is lower case). */
    private static final CharSequence VARY_ACCEPT = HttpHeaders.createOptimized("Accept");

    private final TieredCache cache;
    private final CharSequence cacheControl;
    private final Cbor cbor;

    public ProductHotPath(TieredCache cache, ProductCache.Config config, Cbor cbor) {
        this.cache = cache;
        this.cbor = cbor;
        this.cacheControl = HttpHeaders.createOptimized(config.cacheControl());
    }

    void install(@Observes Router router) {
        // After the compression threshold handler (Integer.MIN_VALUE), before the REST layer.
        router.get(PATH).order(io.million.web.RouteOrder.HOT_PATH).handler(ctx -> {
            HttpServerRequest request = ctx.request();
            if (request.query() != null) {
                ctx.next();
                return;
            }
            // Negotiated here as the REST layer would (format/Format); an Accept naming neither
            // format goes on, to its 406.
            Format format = Format.negotiate(request.getHeader(HttpHeaders.ACCEPT));
            Representation hit = format == null ? null : cache.getIfPresent(ctx.pathParam("id"));
            if (hit == null || hit.isNotFound()) {
                ctx.next();
                return;
            }
            Representation served = format == Format.CBOR ? ProductHeaders.cbor(hit, cbor) : hit;
            HttpServerResponse response = ctx.response();
            MultiMap headers = response.headers();
            ProductHeaders.write(served, cacheControl, headers::add);
            headers.add(HttpHeaders.VARY, VARY_ACCEPT);
            String ifNoneMatch = request.getHeader(HttpHeaders.IF_NONE_MATCH);
            if (ifNoneMatch != null && Preconditions.matches(ifNoneMatch, served.etag())) {
                response.setStatusCode(304).end();
                return;
            }
            headers.add(HttpHeaders.CONTENT_TYPE, format == Format.CBOR ? CBOR : JSON);
            response.end(served.buffer());
        });
    }
}
