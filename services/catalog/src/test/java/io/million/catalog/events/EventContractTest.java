package io.million.catalog.events;

import static io.million.testing.EventContracts.assertConsumes;
import static io.million.testing.EventContracts.assertProduces;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Instant;

import org.junit.jupiter.api.Test;

/** What the catalog writes on catalog.events and reads from orders.events, against the contracts. */
class EventContractTest {

    private static final Instant AT = Instant.parse("2026-12-01T10:00:00Z");

    @Test
    void writesTheCatalogEventsOfTheContract() {
        assertProduces("catalog.events", "product.created", new ProductCreated("5555555555", "SKU-1", "books", AT));
        assertProduces("catalog.events", "stock.reserved", new StockAnswer("9876543210", null, null, AT));
        assertProduces("catalog.events", "stock.rejected", new StockAnswer("9876543210", "OUT_OF_STOCK", "5555555555", AT));
    }

    @Test
    void readsTheOrdersOfEveryOrderEvent() {
        for (String type : new String[] { "order.placed", "order.confirmed", "order.rejected" }) {
            OrderEvent order = assertConsumes("orders.events", type, OrderEvent.class);
            assertEquals("9876543210", order.orderId(), type);
            assertEquals(new OrderEvent.Line("5555555555", 2), order.items().get(0), type);
        }
    }
}
