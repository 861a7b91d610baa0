package io.million.web.paging;

import java.util.List;

import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * One page of a listing: {@code next} is the opaque cursor of the following page, or null on the
 * last page. Clients pass it back unchanged as {@code ?cursor=}.
 */
@RegisterForReflection
public record Page<T>(List<T> items, String next) {
}
