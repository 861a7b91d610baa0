package io.million.catalog.events;

import java.util.List;
import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * What the catalog reads of {@code order.placed} and {@code order.rejected} on {@code orders.events}:
 * the order and its lines (ids as strings, as every Million API renders them).
 */
@RegisterForReflection // read and written with Jackson outside REST: native needs it
public record OrderEvent(String orderId, List<Line> items) {

    public record Line(String productId, int quantity) {
    }
}
