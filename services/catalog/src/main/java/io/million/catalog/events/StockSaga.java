package io.million.catalog.events;

import jakarta.enterprise.context.ApplicationScoped;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.eclipse.microprofile.reactive.messaging.Incoming;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.million.catalog.store.StockReservations;
import io.million.outbox.InboundEvent;
import io.million.outbox.PoisonEvent;
import io.million.outbox.Redelivery;
import io.smallrye.mutiny.Uni;

/**
 * The catalog side of the saga, on {@code orders.events}: {@code order.placed} reserves the
 * order's stock (all lines or none) and answers on {@value CatalogEvents#TOPIC};
 * {@code order.rejected} gives held stock back. Other order events are not the catalog's business.
 */
@ApplicationScoped
public class StockSaga {

    private final StockReservations reservations;
    private final ObjectMapper json;

    public StockSaga(StockReservations reservations, ObjectMapper json) {
        this.reservations = reservations;
        this.json = json;
    }

    @Incoming("orders-events")
    public Uni<Void> onOrderEvent(ConsumerRecord<String, String> record) {
        InboundEvent event = InboundEvent.of(record);
        return switch (event.type()) {
            case "order.placed" -> {
                OrderEvent order = readOrder(event);
                yield Redelivery.withRetries(() -> reservations.reserve(event.id(), order));
            }
            case "order.rejected" -> {
                OrderEvent order = readOrder(event);
                yield Redelivery.withRetries(() -> reservations.release(order));
            }
            default -> Uni.createFrom().voidItem();
        };
    }

    private OrderEvent readOrder(InboundEvent event) {
        OrderEvent order = event.read(json, OrderEvent.class);
        if (order.orderId() == null || order.items() == null || order.items().isEmpty()) {
            throw new PoisonEvent(event.type() + " " + event.id() + " has no order id or no items");
        }
        return order;
    }
}
