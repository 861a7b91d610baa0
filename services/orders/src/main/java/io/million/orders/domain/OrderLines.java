package io.million.orders.domain;

import java.util.List;

import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * The lines of an order as stored in its JSON column. An object, not a bare array: Hibernate
 * Reactive decodes JSON columns through Vert.x's JsonObject, which refuses a top-level array.
 */
@RegisterForReflection // JSON column and event payloads, read by Jackson outside REST
public record OrderLines(List<OrderLine> items) {
}
