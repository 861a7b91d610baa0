package io.million.catalog.store;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import org.hibernate.reactive.mutiny.Mutiny;

import io.million.catalog.events.CatalogEvents;
import io.million.catalog.events.OrderEvent;
import io.million.outbox.Outbox;
import io.million.outbox.PoisonEvent;
import io.million.outbox.ProcessedEvents;
import io.million.sharding.ShardIds;
import io.million.sharding.Shards;
import io.smallrye.mutiny.Uni;

/**
 * Reserves an order's stock, all lines or none, and never below zero: each line is one
 * conditional decrement ({@code available >= quantity}) in the product's shard, recorded as a hold
 * in the same transaction. Lines on one shard are taken in one transaction, in product-id order
 * (no deadlock between orders).
 * <p>
 * An order whose products span shards is a small saga of its own: the shards other than the
 * <em>home</em> shard (that of the order's first product) are held one after the other; then the
 * home shard's transaction holds its lines, records the event as processed and writes the
 * {@code stock.reserved} event to its outbox. If any shard refuses, the holds taken are released
 * and the home transaction records the event with {@code stock.rejected}. Every step is
 * idempotent, so a redelivered event (after a crash anywhere) ends the same way and holds nothing
 * twice. Single-shard orders, the common case, are one transaction.
 */
@ApplicationScoped
public class StockReservations {

    /** The consumer name under which processed event ids are recorded. */
    static final String CONSUMER = "catalog-stock";
    public static final String OUT_OF_STOCK = "OUT_OF_STOCK";
    public static final String UNKNOWN_PRODUCT = "UNKNOWN_PRODUCT";

    private final Shards shards;
    private final Outbox outbox;
    private final CatalogEvents events;

    public StockReservations(Shards shards, Outbox outbox, CatalogEvents events) {
        this.shards = shards;
        this.outbox = outbox;
        this.events = events;
    }

    /** A line with a parsed product id; duplicate products of an order are merged. */
    private record Line(long productId, int quantity) {
    }

    /** Why a shard said no; thrown inside its transaction so that nothing of it stays. */
    private static final class Refused extends RuntimeException {
        final String reason;
        final long productId;

        Refused(String reason, long productId) {
            super(reason + " " + productId, null, false, false);
            this.reason = reason;
            this.productId = productId;
        }
    }

    public Uni<Void> reserve(UUID eventId, OrderEvent order) {
        long orderId = orderId(order);
        Map<Long, Integer> merged = new TreeMap<>();
        Long first = null;
        for (OrderEvent.Line line : order.items()) {
            long productId = ShardIds.parse(line.productId());
            if (productId <= 0 || line.quantity() < 1) {
                // No such product can exist: refuse without holding anything.
                return answer(shards.shardOfId(orderId), eventId, order.orderId(),
                        new Refused(UNKNOWN_PRODUCT, Math.max(productId, 0)));
            }
            first = first == null ? productId : first;
            merged.merge(productId, line.quantity(), Integer::sum);
        }
        Map<Integer, List<Line>> byShard = new TreeMap<>();
        merged.forEach((productId, quantity) -> byShard
                .computeIfAbsent(shards.shardOfId(productId), shard -> new ArrayList<>())
                .add(new Line(productId, quantity)));
        int home = shards.shardOfId(first);
        List<Line> homeLines = byShard.remove(home);
        if (byShard.isEmpty()) {
            return holdAtHome(home, eventId, order.orderId(), orderId, homeLines, List.of());
        }
        return shards.inSession(home, session -> ProcessedEvents.seen(session, CONSUMER, eventId))
                .chain(seen -> seen ? Uni.createFrom().voidItem()
                        : holdElsewhere(orderId, new ArrayList<>(byShard.entrySet()), 0)
                                .chain(refused -> refused == null
                                        ? holdAtHome(home, eventId, order.orderId(), orderId, homeLines,
                                                byShard.keySet())
                                        : releaseElsewhere(orderId, byShard.keySet())
                                                .chain(() -> answer(home, eventId, order.orderId(), refused))));
    }

    /** Gives back whatever stock the order holds, on every shard of its products. */
    public Uni<Void> release(OrderEvent order) {
        long orderId = orderId(order);
        List<Integer> involved = order.items().stream().map(line -> ShardIds.parse(line.productId()))
                .filter(id -> id > 0).map(shards::shardOfId).distinct().toList();
        return releaseElsewhere(orderId, involved);
    }

    /** Holds on the other shards one by one; the first refusal stops (and is returned), null if none. */
    private Uni<Refused> holdElsewhere(long orderId, List<Map.Entry<Integer, List<Line>>> others, int index) {
        if (index == others.size()) {
            return Uni.createFrom().nullItem();
        }
        var entry = others.get(index);
        return shards.inTransaction(entry.getKey(), session -> countHolds(session, orderId)
                .chain(held -> held > 0 ? Uni.createFrom().voidItem() : hold(session, orderId, entry.getValue(), 0)))
                .replaceWith((Refused) null)
                .onFailure(Refused.class).recoverWithItem(failure -> (Refused) failure)
                .chain(refused -> refused != null ? Uni.createFrom().item(refused)
                        : holdElsewhere(orderId, others, index + 1));
    }

    /** The home shard's step; a refusal there releases what {@code others} hold. */
    private Uni<Void> holdAtHome(int home, UUID eventId, String orderKey, long orderId, List<Line> lines,
            Iterable<Integer> others) {
        return outbox.inTransaction(home, session -> ProcessedEvents.record(session, CONSUMER, eventId)
                .chain(first -> !first ? Uni.createFrom().voidItem()
                        : hold(session, orderId, lines, 0).chain(() -> events.reserved(session, orderKey))))
                .onFailure(Refused.class)
                .recoverWithUni(refused -> releaseElsewhere(orderId, others)
                        .chain(() -> answer(home, eventId, orderKey, (Refused) refused)));
    }

    /** Records the event as processed with a stock.rejected answer, unless it was processed already. */
    private Uni<Void> answer(int home, UUID eventId, String orderKey, Refused refused) {
        return outbox.inTransaction(home, session -> ProcessedEvents.record(session, CONSUMER, eventId)
                .chain(first -> !first ? Uni.createFrom().voidItem()
                        : events.rejected(session, orderKey, refused.reason, Long.toString(refused.productId))));
    }

    /** Takes the lines from index on, in product-id order, inside the caller's transaction. */
    private Uni<Void> hold(Mutiny.Session session, long orderId, List<Line> lines, int index) {
        if (index == lines.size()) {
            return Uni.createFrom().voidItem();
        }
        Line line = lines.get(index);
        return session.createNativeQuery("update product_stock set available = available - :quantity, "
                + "reserved = reserved + :quantity, version = version + 1 "
                + "where product_id = :product and available >= :quantity")
                .setParameter("quantity", line.quantity())
                .setParameter("product", line.productId())
                .executeUpdate()
                .chain(updated -> updated == 1 ? Uni.createFrom().voidItem() : session
                        .createNativeQuery("select count(*) from product_stock where product_id = :product", Long.class)
                        .setParameter("product", line.productId())
                        .getSingleResult()
                        .invoke(exists -> {
                            throw new Refused(exists > 0 ? OUT_OF_STOCK : UNKNOWN_PRODUCT, line.productId());
                        })
                        .replaceWithVoid())
                .chain(() -> session.createNativeQuery("insert into stock_holds (order_id, product_id, quantity) "
                        + "values (:order, :product, :quantity)")
                        .setParameter("order", orderId)
                        .setParameter("product", line.productId())
                        .setParameter("quantity", line.quantity())
                        .executeUpdate())
                .chain(() -> hold(session, orderId, lines, index + 1));
    }

    private Uni<Void> releaseElsewhere(long orderId, Iterable<Integer> shardsToRelease) {
        Uni<Void> all = Uni.createFrom().voidItem();
        for (int shard : shardsToRelease) {
            all = all.chain(() -> shards.inTransaction(shard, session -> session.createNativeQuery(
                    "with released as (delete from stock_holds where order_id = :order returning product_id, quantity) "
                            + "update product_stock s set available = s.available + r.quantity, "
                            + "reserved = s.reserved - r.quantity, version = s.version + 1 "
                            + "from released r where s.product_id = r.product_id")
                    .setParameter("order", orderId)
                    .executeUpdate()).replaceWithVoid());
        }
        return all;
    }

    private static Uni<Long> countHolds(Mutiny.Session session, long orderId) {
        return session.createNativeQuery("select count(*) from stock_holds where order_id = :order", Long.class)
                .setParameter("order", orderId)
                .getSingleResult();
    }

    private static long orderId(OrderEvent order) {
        long id = ShardIds.parse(order.orderId());
        if (id <= 0) {
            throw new PoisonEvent("order event names no order id: " + order.orderId());
        }
        return id;
    }
}
