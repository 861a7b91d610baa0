package io.million.orders.domain;

import java.util.List;

/**
 * The lines of an order as stored in its JSON column. An object, not a bare array: Hibernate
 * Reactive decodes JSON columns through Vert.x's JsonObject, which refuses a top-level array.
 */
public record OrderLines(List<OrderLine> items) {
}
