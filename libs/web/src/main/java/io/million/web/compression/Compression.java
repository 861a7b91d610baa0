package io.million.web.compression;

import java.util.ArrayList;
import java.util.List;

import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;

import org.jboss.logging.Logger;

import io.million.web.WebConfig;
import io.million.web.problem.Problem;
import io.netty.handler.codec.compression.Brotli;
import io.netty.handler.codec.compression.BrotliMode;
import io.netty.handler.codec.compression.CompressionOptions;
import io.netty.handler.codec.compression.StandardCompressionOptions;
import io.quarkus.vertx.http.HttpServerOptionsCustomizer;
import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.Router;

/**
 * Response compression on top of Vert.x's: adds brotli (when its native library loads) to gzip and
 * deflate, and skips responses smaller than {@code million.web.compression.min-bytes}.
 * Switched on by {@code quarkus.http.enable-compression=true}, with the media types in
 * {@code quarkus.http.compress-media-types}.
 * <p>
 * Written here because Vert.x 4.5 has no size threshold: the response's Content-Length is known
 * when its headers are sent, and {@code Content-Encoding: identity} tells Vert.x to leave it as is.
 */
@Singleton
public class Compression implements HttpServerOptionsCustomizer {

    private static final Logger LOG = Logger.getLogger(Compression.class);
    /** Netty's defaults for window bits and memory level. */
    private static final int WINDOW_BITS = 15;
    private static final int MEM_LEVEL = 8;
    private static final int BROTLI_WINDOW = 22;

    private final WebConfig.Compression config;

    public Compression(WebConfig config) {
        this.config = config.compression();
    }

    @Override
    public void customizeHttpServer(HttpServerOptions options) {
        if (!options.isCompressionSupported()) {
            return;
        }
        List<CompressionOptions> compressors = new ArrayList<>();
        if (config.brotli()) {
            if (Brotli.isAvailable()) {
                compressors.add(StandardCompressionOptions.brotli(config.brotliQuality(), BROTLI_WINDOW,
                        BrotliMode.TEXT));
            } else {
                LOG.warn("Brotli native library not available; offering gzip and deflate only");
            }
        }
        compressors.add(StandardCompressionOptions.gzip(config.gzipLevel(), WINDOW_BITS, MEM_LEVEL));
        compressors.add(StandardCompressionOptions.deflate(config.gzipLevel(), WINDOW_BITS, MEM_LEVEL));
        options.setCompressors(compressors);
    }

    void threshold(@Observes Router router) {
        int minBytes = config.minBytes();
        router.route().order(io.million.web.RouteOrder.COMPRESSION).handler(ctx -> {
            HttpServerResponse response = ctx.response();
            boolean mayCompress = ctx.request().headers().contains(HttpHeaders.ACCEPT_ENCODING);
            ctx.addHeadersEndHandler(ignored -> {
                MultiMap headers = response.headers();
                if (response.getStatusCode() == 304) {
                    // A 304 carries the Vary its 200 would (RFC 9110 15.4.5): a cache that
                    // revalidates takes the 304's Vary for the stored object.
                    headers.add(HttpHeaders.VARY, "Accept-Encoding");
                    return;
                }
                String type = headers.get(HttpHeaders.CONTENT_TYPE);
                if (type == null || !isCompressible(type)) {
                    return;
                }
                // Caches must key compressible bodies by Accept-Encoding, compressed or not.
                headers.add(HttpHeaders.VARY, "Accept-Encoding");
                String length = headers.get(HttpHeaders.CONTENT_LENGTH);
                if (mayCompress && length != null && !headers.contains(HttpHeaders.CONTENT_ENCODING)
                        && Long.parseLong(length) < minBytes) {
                    headers.set(HttpHeaders.CONTENT_ENCODING, HttpHeaders.IDENTITY);
                }
            });
            ctx.next();
        });
    }

    private static boolean isCompressible(String contentType) {
        return contentType.startsWith("application/json") || contentType.startsWith(Problem.MEDIA_TYPE)
                || contentType.startsWith(io.million.web.format.Format.CBOR_TYPE);
    }
}
