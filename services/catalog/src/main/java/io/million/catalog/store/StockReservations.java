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
    public static final String CONSUMER = "catalog-stock";
    /** The processed_events "consumer" of release tombstones (event id: md5 of "released:" + order id). */
    static final String RELEASED = "catalog-released";
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
                return answer(shards.shardOfId(orderId), orderId, eventId, order.orderId(),
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
        long homeKey = first;
        List<Line> homeLines = byShard.remove(home);
        if (byShard.isEmpty()) {
            return holdAtHome(home, first, eventId, order.orderId(), orderId, homeLines, List.of());
        }
        return shards.inSession(home, session -> ProcessedEvents.seen(session, CONSUMER, eventId))
                .chain(seen -> seen ? Uni.createFrom().voidItem()
                        : holdElsewhere(orderId, new ArrayList<>(byShard.entrySet()), 0)
                                .chain(refused -> refused == null
                                        ? holdAtHome(home, homeKey, eventId, order.orderId(), orderId, homeLines,
                                                byShard.keySet())
                                        : releaseElsewhere(orderId, byShard.keySet())
                                                .chain(() -> answer(home, homeKey, eventId, order.orderId(), refused))));
    }

    /** The products of an order's lines on {@code shard}, valid ids only. */
    public List<Long> productsOn(OrderEvent order, int shard) {
        return order.items().stream().map(line -> ShardIds.parse(line.productId()))
                .filter(id -> id > 0 && shards.shardOfId(id) == shard).distinct().toList();
    }

    /** The shards of an order's (valid) products. */
    public java.util.SortedSet<Integer> shardsOf(OrderEvent order) {
        java.util.SortedSet<Integer> involved = new java.util.TreeSet<>();
        for (OrderEvent.Line line : order.items()) {
            long id = ShardIds.parse(line.productId());
            if (id > 0) {
                involved.add(shards.shardOfId(id));
            }
        }
        return involved;
    }

    /** Whether every line names a possible product with a positive quantity, all on one shard. */
    public boolean singleShard(OrderEvent order) {
        for (OrderEvent.Line line : order.items()) {
            if (ShardIds.parse(line.productId()) <= 0 || line.quantity() < 1) {
                return false;
            }
        }
        return shardsOf(order).size() == 1;
    }

    /** What a batch does to one shard's stock, in the order of its events. */
    public interface Step {
        /** Every product the step may lock on its shard. */
        List<Long> products();
    }

    /** Hold an order's lines (all on this shard: {@link #singleShard}), answering with stock.reserved or stock.rejected. */
    public record Reserve(String orderKey, long orderId, Long[] productIds, Integer[] quantities, String traceparent)
            implements Step {
        public List<Long> products() {
            return List.of(productIds);
        }
    }

    /** Give back what a rejected order holds here. */
    public record Release(long orderId, List<Long> products) implements Step {
    }

    /** A confirmed order's units are sold: its holds here are done with (the counts stay). */
    public record Clear(long orderId, List<Long> products) implements Step {
    }

    public Reserve reserveStep(OrderEvent order, String traceparent) {
        Map<Long, Integer> merged = new TreeMap<>();
        for (OrderEvent.Line line : order.items()) {
            merged.merge(ShardIds.parse(line.productId()), line.quantity(), Integer::sum);
        }
        return new Reserve(order.orderId(), orderId(order), merged.keySet().toArray(Long[]::new),
                merged.values().toArray(Integer[]::new), traceparent);
    }

    public long orderIdOf(OrderEvent order) {
        return orderId(order);
    }

    /** Locks every product the steps touch, in id order: two batches never wait for each other in a circle. */
    private static final String LOCK = "select product_id from product_stock where product_id = any($1::bigint[]) "
            + "order by product_id for update";

    /**
     * One order, all lines or none, in one statement: the lines are taken only if every one has
     * enough available (checked and taken under the rows' locks, see {@link #LOCK}), with a hold
     * each; returns whether they were, and else the first line (in product id order) that fails
     * and whether its product exists, as the one-by-one reservation answered.
     */
    private static final String RESERVE = "with want(product_id, quantity) as ("
            + "select * from unnest($2::bigint[], $3::int[])), "
            + "checked as (select w.product_id, w.quantity, s.product_id is not null as known, "
            + "coalesce(s.available >= w.quantity, false) as enough from want w "
            + "left join product_stock s on s.product_id = w.product_id), "
            + "gone as (select exists (select 1 from processed_events where consumer = '" + RELEASED + "' "
            + "and event_id = md5('released:' || $1::bigint)::uuid) as released), "
            + "verdict as (select bool_and(enough) and not (select released from gone) as ok from checked), "
            + "first_refused as (select product_id, known from checked where not enough order by product_id limit 1), "
            + "taken as (update product_stock s set available = s.available - w.quantity, "
            + "reserved = s.reserved + w.quantity, version = s.version + 1 from want w, verdict v "
            + "where v.ok and s.product_id = w.product_id returning s.product_id, w.quantity), "
            + "held as (insert into stock_holds (order_id, product_id, quantity) "
            + "select $1::bigint, product_id, quantity from taken) "
            + "select v.ok, (select released from gone) as released, f.product_id as refused, f.known "
            + "from verdict v left join first_refused f on true";

    /**
     * Gives back what the orders hold and leaves a tombstone per order ({@value #RELEASED}): a
     * reservation that arrives after its order's release (it waited on the retry topic while the
     * release went by) then holds nothing.
     */
    private static final String RELEASE = "with released as (delete from stock_holds where order_id = any($1::bigint[]) "
            + "returning product_id, quantity), per as (select product_id, sum(quantity)::int as quantity "
            + "from released group by product_id), "
            + "given as (update product_stock s set available = s.available + per.quantity, "
            + "reserved = s.reserved - per.quantity, version = s.version + 1 from per where s.product_id = per.product_id) "
            + "insert into processed_events (consumer, event_id) select '" + RELEASED + "', "
            + "md5('released:' || o)::uuid from unnest($1::bigint[]) o on conflict do nothing";

    private static final String CLEAR = "delete from stock_holds where order_id = any($1::bigint[])";

    /**
     * Applies one shard's steps of a batch inside {@code tx}: reserves in event order (each sees
     * the stock the previous ones left), then releases and clears, each kind one statement.
     * An order's release or clear always follows its reservation in the stream, so doing them
     * after the batch's reservations keeps every order's own order. Returns the answers.
     */
    public Uni<List<Outbox.Entry>> apply(io.vertx.mutiny.sqlclient.SqlConnection tx, List<Step> steps) {
        java.util.SortedSet<Long> products = new java.util.TreeSet<>();
        List<Reserve> reserves = new ArrayList<>();
        List<Long> releases = new ArrayList<>();
        List<Long> clears = new ArrayList<>();
        for (Step step : steps) {
            products.addAll(step.products());
            if (step instanceof Reserve reserve) {
                reserves.add(reserve);
            } else if (step instanceof Release release) {
                releases.add(release.orderId());
            } else if (step instanceof Clear clear) {
                clears.add(clear.orderId());
            }
        }
        Uni<Void> locked = products.isEmpty() ? Uni.createFrom().voidItem()
                : tx.preparedQuery(LOCK).execute(io.vertx.mutiny.sqlclient.Tuple.of(products.toArray(Long[]::new)))
                        .replaceWithVoid();
        List<Outbox.Entry> answers = new ArrayList<>();
        return locked.chain(() -> {
            // Sent together: the connection pipelines them, PostgreSQL runs them in this order.
            List<Uni<Outbox.Entry>> each = reserves.stream().map(reserve -> tx.preparedQuery(RESERVE)
                    .execute(io.vertx.mutiny.sqlclient.Tuple.of(reserve.orderId(), reserve.productIds(),
                            reserve.quantities()))
                    .map(rows -> {
                        var row = rows.iterator().next();
                        if (Boolean.TRUE.equals(row.getBoolean("ok"))) {
                            return events.reservedEntry(reserve.orderKey(), reserve.traceparent());
                        }
                        if (Boolean.TRUE.equals(row.getBoolean("released"))) {
                            return null; // settled and released already: nothing to hold, no one to answer
                        }
                        String reason = Boolean.TRUE.equals(row.getBoolean("known")) ? OUT_OF_STOCK : UNKNOWN_PRODUCT;
                        Long refused = row.getLong("refused");
                        return events.rejectedEntry(reserve.orderKey(), reason, String.valueOf(refused),
                                reserve.traceparent());
                    })).toList();
            return each.isEmpty() ? Uni.createFrom().item(List.<Outbox.Entry> of())
                    : Uni.join().all(each).andFailFast();
        }).invoke(all -> all.stream().filter(java.util.Objects::nonNull).forEach(answers::add))
                .chain(() -> releases.isEmpty() ? Uni.createFrom().voidItem() : tx.preparedQuery(RELEASE)
                        .execute(io.vertx.mutiny.sqlclient.Tuple.of((Object) releases.toArray(Long[]::new)))
                        .replaceWithVoid())
                .chain(() -> clears.isEmpty() ? Uni.createFrom().voidItem() : tx.preparedQuery(CLEAR)
                        .execute(io.vertx.mutiny.sqlclient.Tuple.of((Object) clears.toArray(Long[]::new)))
                        .replaceWithVoid())
                .replaceWith(answers);
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
    private Uni<Void> holdAtHome(int home, long homeKey, UUID eventId, String orderKey, long orderId,
            List<Line> lines, Iterable<Integer> others) {
        return outbox.inTransaction(home, session -> ProcessedEvents.record(session, CONSUMER, eventId, homeKey)
                .chain(first -> !first ? Uni.createFrom().voidItem()
                        : hold(session, orderId, lines, 0).chain(() -> events.reserved(session, orderKey))))
                .onFailure(Refused.class)
                .recoverWithUni(refused -> releaseElsewhere(orderId, others)
                        .chain(() -> answer(home, homeKey, eventId, orderKey, (Refused) refused)));
    }

    /** Records the event as processed with a stock.rejected answer, unless it was processed already. */
    private Uni<Void> answer(int home, long homeKey, UUID eventId, String orderKey, Refused refused) {
        return outbox.inTransaction(home, session -> ProcessedEvents.record(session, CONSUMER, eventId, homeKey)
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
