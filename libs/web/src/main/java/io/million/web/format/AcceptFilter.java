package io.million.web.format;

import jakarta.inject.Singleton;

import org.jboss.resteasy.reactive.server.ServerRequestFilter;

import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;

/**
 * Content negotiation decided once, by {@link Format#negotiate}, before the REST layer routes the
 * request: its {@code Accept} is replaced by the one media type chosen (every resource of ours
 * answers in both formats), so the
 * REST layer's choice of writer, the catalog's hot path and the edge's variants all agree. An
 * {@code Accept} that names neither format is left as sent: the REST layer answers 406 (a problem).
 */
@Singleton
public class AcceptFilter {

    @ServerRequestFilter(preMatching = true)
    public void negotiate(HttpServerRequest request) {
        String accept = request.getHeader(HttpHeaders.ACCEPT);
        if (accept == null) {
            return;
        }
        Format format = Format.negotiate(accept);
        if (format != null && !accept.equals(format.mediaType())) {
            request.headers().set(HttpHeaders.ACCEPT, format.mediaType());
        }
    }
}
