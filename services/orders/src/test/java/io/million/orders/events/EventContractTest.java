package io.million.orders.events;

import static io.million.testing.EventContracts.assertConsumes;
import static io.million.testing.EventContracts.assertProduces;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.List;

import org.junit.jupiter.api.Test;

import io.million.orders.domain.OrderLine;
import io.million.orders.domain.RejectReason;

/** What orders writes on orders.events and reads from catalog.events and users.events, against the contracts. */
class EventContractTest {

    private static final Instant AT = Instant.parse("2026-12-01T10:00:00Z");
    private static final List<OrderLine> LINES = List.of(new OrderLine(5555555555L, 2));

    @Test
    void writesTheOrderEventsOfTheContract() {
        assertProduces("orders.events", "order.placed", new OrderPlaced("9876543210", "1234567890", LINES, AT));
        assertProduces("orders.events", "order.confirmed", new OrderSettled("9876543210", "1234567890", LINES, null, AT));
        assertProduces("orders.events", "order.rejected",
                new OrderSettled("9876543210", "1234567890", LINES, RejectReason.OUT_OF_STOCK, AT));
    }

    @Test
    void readsTheCatalogsAndTheUsersAnswers() {
        assertEquals("9876543210", assertConsumes("catalog.events", "stock.reserved", StockAnswer.class).orderId());
        StockAnswer rejected = assertConsumes("catalog.events", "stock.rejected", StockAnswer.class);
        assertEquals("OUT_OF_STOCK", rejected.reason());
        assertEquals("5555555555", rejected.productId());
        UserAnswer user = assertConsumes("users.events", "order.user-checked", UserAnswer.class);
        assertEquals("9876543210", user.orderId());
        assertTrue(user.known());
    }
}
