package io.million.web.auth;

import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerResponseContext;
import jakarta.ws.rs.core.HttpHeaders;

import org.jboss.resteasy.reactive.server.ServerResponseFilter;

/**
 * An answer to a request that carried credentials is personal: it says {@code Vary: Authorization}
 * and, unless the resource declared its own caching, {@code Cache-Control: private, no-cache}, so
 * no shared cache (edge, CDN, proxy) stores or serves it to someone else.
 */
public class PrivateResponses {

    static final String PRIVATE = "private, no-cache";

    @ServerResponseFilter
    public void markPrivate(ContainerRequestContext request, ContainerResponseContext response) {
        if (request.getHeaderString(HttpHeaders.AUTHORIZATION) == null) {
            return;
        }
        response.getHeaders().add(HttpHeaders.VARY, HttpHeaders.AUTHORIZATION);
        if (!response.getHeaders().containsKey(HttpHeaders.CACHE_CONTROL)) {
            response.getHeaders().putSingle(HttpHeaders.CACHE_CONTROL, PRIVATE);
        }
    }
}
