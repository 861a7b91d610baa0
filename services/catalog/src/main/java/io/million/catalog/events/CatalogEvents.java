package io.million.catalog.events;

import java.time.Instant;

import jakarta.enterprise.context.ApplicationScoped;

import org.hibernate.reactive.mutiny.Mutiny;

import io.million.catalog.domain.Product;
import io.million.outbox.Outbox;
import io.smallrye.mutiny.Uni;

/**
 * What the catalog publishes on {@value #TOPIC}, always through the outbox of the shard it
 * changed, in the transaction that changed it.
 */
@ApplicationScoped
public class CatalogEvents {

    public static final String TOPIC = "catalog.events";
    public static final String PRODUCT_CREATED = "product.created";
    public static final String STOCK_RESERVED = "stock.reserved";
    public static final String STOCK_REJECTED = "stock.rejected";

    private final Outbox outbox;

    public CatalogEvents(Outbox outbox) {
        this.outbox = outbox;
    }

    public Uni<Void> created(Mutiny.Session session, Product product) {
        var event = new ProductCreated(Long.toString(product.id), product.sku, product.category, product.createdAt);
        return outbox.add(session, TOPIC, Long.toString(product.id), PRODUCT_CREATED, event).replaceWithVoid();
    }

    /** The stock of every line of the order is held; keyed by the order id. */
    public Uni<Void> reserved(Mutiny.Session session, String orderId) {
        return outbox.add(session, TOPIC, orderId, STOCK_RESERVED, new StockAnswer(orderId, null, null, Instant.now()))
                .replaceWithVoid();
    }

    /** The stock.reserved outbox entry for an order (batch consumers write it with their own SQL). */
    public Outbox.Entry reservedEntry(String orderId, String traceparent) {
        return outbox.entry(TOPIC, orderId, STOCK_RESERVED, new StockAnswer(orderId, null, null, Instant.now()),
                traceparent);
    }

    /** The stock.rejected outbox entry for an order. */
    public Outbox.Entry rejectedEntry(String orderId, String reason, String productId, String traceparent) {
        return outbox.entry(TOPIC, orderId, STOCK_REJECTED, new StockAnswer(orderId, reason, productId, Instant.now()),
                traceparent);
    }

    /** Nothing is held for the order, because of {@code reason} on {@code productId}; keyed by the order id. */
    public Uni<Void> rejected(Mutiny.Session session, String orderId, String reason, String productId) {
        return outbox.add(session, TOPIC, orderId, STOCK_REJECTED,
                new StockAnswer(orderId, reason, productId, Instant.now())).replaceWithVoid();
    }
}
