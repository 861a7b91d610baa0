package io.million.catalog.events;

import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;

import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.eclipse.microprofile.reactive.messaging.Incoming;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.million.catalog.store.StockReservations;
import io.million.outbox.EventConsumer;
import io.million.outbox.EventConsumers;
import io.million.outbox.EventHandler;
import io.million.outbox.InboundEvent;
import io.million.outbox.Outbox;
import io.million.outbox.PoisonEvent;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.SqlConnection;

/**
 * The catalog side of the saga, on {@code orders.events}: {@code order.placed} reserves the
 * order's stock (all lines or none) and answers on {@value CatalogEvents#TOPIC};
 * {@code order.rejected} gives held stock back; {@code order.confirmed} clears the holds of sold
 * units. A batch is applied per product shard in one transaction ({@link EventConsumer},
 * {@link StockReservations#apply}); an order whose products span shards, or that names
 * impossible products, is reserved on its own by the cross-shard saga of
 * {@link StockReservations#reserve}.
 */
@ApplicationScoped
public class StockSaga implements EventHandler<StockReservations.Step> {

    private final StockReservations reservations;
    private final ObjectMapper json;
    private final EventConsumer<StockReservations.Step> consumer;

    public StockSaga(StockReservations reservations, ObjectMapper json, EventConsumers consumers) {
        this.reservations = reservations;
        this.json = json;
        this.consumer = consumers.of(this);
    }

    @Incoming("orders-events")
    public Uni<Void> onOrderEvents(ConsumerRecords<String, String> records) {
        return consumer.consume(records);
    }

    @Override
    public String name() {
        return StockReservations.CONSUMER;
    }

    @Override
    public List<Routed<StockReservations.Step>> route(InboundEvent event) {
        return switch (event.type()) {
            case "order.placed" -> {
                OrderEvent order = readOrder(event);
                reservations.orderIdOf(order); // a PoisonEvent when it names no order
                if (!reservations.singleShard(order)) {
                    // Alone: the cross-shard saga (or the refusal of an impossible line), see applyAlone.
                    yield List.of(new Routed<>(event, -1, 0, new AloneReserve(order)));
                }
                int shard = reservations.shardsOf(order).first();
                yield List.of(new Routed<>(event, shard, reservations.productsOn(order, shard).get(0),
                        reservations.reserveStep(order, event.traceparent())));
            }
            case "order.rejected", "order.confirmed" -> {
                OrderEvent order = readOrder(event);
                long orderId = reservations.orderIdOf(order);
                boolean rejected = "order.rejected".equals(event.type());
                yield reservations.shardsOf(order).stream().map(shard -> {
                    List<Long> products = reservations.productsOn(order, shard);
                    StockReservations.Step step = rejected ? new StockReservations.Release(orderId, products)
                            : new StockReservations.Clear(orderId, products);
                    return new Routed<>(event, shard, products.get(0), step);
                }).toList();
            }
            default -> List.of();
        };
    }

    /** Marks an order.placed that {@link StockReservations#reserve} handles alone. */
    private record AloneReserve(OrderEvent order) implements StockReservations.Step {
        public List<Long> products() {
            return List.of();
        }
    }

    @Override
    public boolean alone(Routed<StockReservations.Step> routed) {
        return routed.item() instanceof AloneReserve;
    }

    @Override
    public Uni<Void> applyAlone(Routed<StockReservations.Step> routed) {
        return reservations.reserve(routed.event().id(), ((AloneReserve) routed.item()).order());
    }

    @Override
    public Uni<List<Outbox.Entry>> apply(SqlConnection tx, int shard, List<Routed<StockReservations.Step>> fresh) {
        return reservations.apply(tx, fresh.stream().map(Routed::item).toList());
    }

    private OrderEvent readOrder(InboundEvent event) {
        OrderEvent order = event.read(json, OrderEvent.class);
        if (order.orderId() == null || order.items() == null || order.items().isEmpty()) {
            throw new PoisonEvent(event.type() + " " + event.id() + " has no order id or no items");
        }
        return order;
    }
}
