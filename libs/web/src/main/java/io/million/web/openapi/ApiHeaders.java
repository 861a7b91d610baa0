package io.million.web.openapi;

import java.util.LinkedHashMap;
import java.util.Map;

import org.eclipse.microprofile.openapi.OASFactory;
import org.eclipse.microprofile.openapi.models.headers.Header;
import org.eclipse.microprofile.openapi.models.media.Schema.SchemaType;

/**
 * The response headers of the public API, defined once in each document's
 * {@code components.headers} ({@link ContractFilter}). A resource refers to one with
 * {@code @Header(name = ApiHeaders.ETAG, ref = ApiHeaders.ETAG)}.
 */
public final class ApiHeaders {

    public static final String ETAG = "ETag";
    public static final String LOCATION = "Location";
    public static final String LAST_MODIFIED = "Last-Modified";
    public static final String CACHE_CONTROL = "Cache-Control";
    public static final String RETRY_AFTER = "Retry-After";
    public static final String RATE_LIMIT = "RateLimit";
    public static final String RATE_LIMIT_POLICY = "RateLimit-Policy";
    public static final String IDEMPOTENT_REPLAYED = "Idempotent-Replayed";

    private ApiHeaders() {
    }

    static Map<String, Header> definitions() {
        Map<String, Header> headers = new LinkedHashMap<>();
        headers.put(ETAG, string("Strong validator of this version of the resource (the representation's "
                + "version); send it back in If-None-Match (304) or If-Match (412 when stale)"));
        headers.put(LOCATION, string("The created resource's path, relative to the API's server (RFC 9110)"));
        headers.put(LAST_MODIFIED, string("When this version was written (HTTP date)"));
        headers.put(CACHE_CONTROL, string("Who may cache this answer and for how long"));
        headers.put(RETRY_AFTER, OASFactory.createHeader().description("Seconds to wait before retrying")
                .schema(OASFactory.createSchema().addType(SchemaType.INTEGER).format("int32")
                        .minimum(java.math.BigDecimal.ONE)));
        headers.put(RATE_LIMIT, string("The quota left under the rate-limit policy covering this request "
                + "(draft-ietf-httpapi-ratelimit-headers), when one covers it: r=remaining, t=seconds to reset"));
        headers.put(RATE_LIMIT_POLICY, string("The rate-limit policy covering this request, when one covers it: "
                + "q=quota, w=window in seconds"));
        headers.put(IDEMPOTENT_REPLAYED, OASFactory.createHeader()
                .description("true when the answer replays an earlier request with the same Idempotency-Key")
                .schema(OASFactory.createSchema().addType(SchemaType.BOOLEAN)));
        return headers;
    }

    /** A reference to a shared header definition, for filters. */
    static Header ref(String name) {
        return OASFactory.createHeader().ref(name);
    }

    private static Header string(String description) {
        return OASFactory.createHeader().description(description)
                .schema(OASFactory.createSchema().addType(SchemaType.STRING));
    }
}
