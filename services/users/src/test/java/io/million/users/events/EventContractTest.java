package io.million.users.events;

import static io.million.testing.EventContracts.assertConsumes;
import static io.million.testing.EventContracts.assertProduces;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Instant;

import org.junit.jupiter.api.Test;

/** What users writes on users.events and reads from orders.events, against the contracts. */
class EventContractTest {

    @Test
    void writesTheUserEventsOfTheContract() {
        assertProduces("users.events", "user.created",
                new UserCreated("1234567890", "ada@example.com", Instant.parse("2026-12-01T08:00:00Z")));
        assertProduces("users.events", "order.user-checked", new OrderUserChecked("9876543210", "1234567890", true));
    }

    @Test
    void readsTheOrderAndItsUser() {
        for (String type : new String[] { "order.placed", "order.confirmed" }) {
            OrderEvent order = assertConsumes("orders.events", type, OrderEvent.class);
            assertEquals("9876543210", order.orderId(), type);
            assertEquals("1234567890", order.userId(), type);
        }
    }
}
