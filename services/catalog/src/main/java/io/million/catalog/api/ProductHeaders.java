package io.million.catalog.api;

import java.util.function.BiConsumer;

import io.million.cache.Representation;
import io.million.web.format.Cbor;
import io.million.web.format.Format;
import io.vertx.core.http.HttpHeaders;

/**
 * The caching headers of a product representation, in one place for both ways it is served: the
 * hot path ({@link ProductHotPath}, Vert.x headers) and the REST path ({@link ProductResource}).
 * A {@code ?fields=} selection gets its own ETag from {@code FieldSelection} (libs/web).
 */
final class ProductHeaders {

    static final CharSequence SURROGATE_KEY = HttpHeaders.createOptimized("Surrogate-Key");

    private ProductHeaders() {
    }

    /**
     * The CBOR representation of a product's JSON one: its body transcoded, its own strong tag,
     * the same Last-Modified and surrogate keys (a purge drops both variants at the edge). Kept
     * with the L1 entry ({@link Representation#alternate}), so a hit in CBOR costs what one in
     * JSON does.
     */
    static Representation cbor(Representation json, Cbor cbor) {
        return json.alternate(found -> new Representation(cbor.fromJson(found.body()), Format.CBOR.etag(found.etag()),
                found.lastModified(), found.surrogateKeys()));
    }

    /** ETag, Last-Modified, Cache-Control and Surrogate-Key of {@code found}. */
    static void write(Representation found, CharSequence cacheControl, BiConsumer<CharSequence, CharSequence> header) {
        header.accept(HttpHeaders.ETAG, found.etag());
        header.accept(HttpHeaders.LAST_MODIFIED, found.lastModifiedHeader());
        header.accept(HttpHeaders.CACHE_CONTROL, cacheControl);
        header.accept(SURROGATE_KEY, found.surrogateKeys());
    }
}
