package io.million.orders.store;

import java.time.Clock;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.config.inject.ConfigProperty;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.million.cache.RedisTier;
import io.million.orders.api.OrderView;
import io.million.orders.domain.Order;
import io.million.orders.domain.OrderLine;
import io.million.orders.events.OrderEvents;
import io.million.outbox.Outbox;
import io.million.sharding.Buckets;
import io.million.sharding.ShardIds;
import io.million.sharding.Shards;
import io.million.web.paging.PageRequest;
import io.million.web.problem.ProblemException;
import io.million.web.problem.UniqueViolation;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Tuple;

/**
 * Orders on the shard set, sharded by the ordering user's key, with reads through this
 * service's Redis tier. Placing an order writes the order and its {@code order.placed} event
 * in one shard transaction (one statement); an Idempotency-Key is unique per user on that shard.
 */
@ApplicationScoped
public class OrderStore {

    /** Short, and evicted on every status change: an order's status changes soon after it is placed. */
    private static final Duration CACHE_TTL = Duration.ofSeconds(5);
    private static final int ATTEMPTS = 3;
    private static final String PRIMARY_KEY = "orders_pkey";

    private final Shards shards;
    private final Outbox outbox;
    private final OrderEvents events;
    private final ShardIds ids = new ShardIds();
    private final RedisTier cache;
    private final Duration idempotencyTtl;
    private final Clock clock = Clock.systemUTC();
    private final ObjectMapper json;

    public OrderStore(Shards shards, Outbox outbox, OrderEvents events, RedisTier cache, ObjectMapper json,
            @ConfigProperty(name = "million.orders.idempotency-key-ttl", defaultValue = "PT24H") Duration idempotencyTtl) {
        this.shards = shards;
        this.outbox = outbox;
        this.events = events;
        this.cache = cache;
        this.idempotencyTtl = idempotencyTtl;
        this.json = json;
    }

    /**
     * The hot write: the order and its order.placed outbox row in ONE statement, hence one
     * transaction and one round trip (Hibernate would need four: begin, two inserts, commit).
     */
    private static final String PLACE = "with placed as (insert into orders (id, user_id, status, lines, "
            + "stock_reserved, user_known, idempotency_key, request_hash, created_at, updated_at, version) "
            + "values ($1, $2, 'PENDING', $3::text::jsonb, false, false, $4, $5, $6, $6, 0) returning id) "
            + "insert into outbox (" + Outbox.COLUMNS + ") select $7, $8, $9, $10, $11, $12 from placed";

    private String linesJson(Order order) {
        try {
            return json.writeValueAsString(order.lines);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("order lines are plain records", e);
        }
    }

    /** An order as placed, or as found again for a repeated Idempotency-Key ({@code replayed}). */
    public record Placement(Order order, boolean replayed) {
    }

    /**
     * Places the order, or returns the order this user already placed with {@code key} and the same
     * request ({@code requestHash}); the same key with another request is a 422 problem. A key
     * older than {@code million.orders.idempotency-key-ttl} is free again.
     */
    public Uni<Placement> place(long userId, List<OrderLine> lines, String key, String requestHash) {
        return place(userId, lines, key, requestHash, 1);
    }

    private Uni<Placement> place(long userId, List<OrderLine> lines, String key, String requestHash, int attempt) {
        int bucket = Buckets.of(userId);
        int shard = shards.shardOfBucket(bucket);
        Order order = Order.place(ids.next(bucket), userId, lines, key, requestHash, clock.instant());
        Outbox.Entry event = events.placed(order);
        OffsetDateTime now = order.createdAt.atOffset(ZoneOffset.UTC);
        Tuple values = Tuple.tuple()
                .addLong(order.id).addLong(userId).addString(linesJson(order)).addString(key).addString(requestHash)
                .addOffsetDateTime(now)
                .addUUID(event.eventId()).addString(event.topic()).addString(event.key()).addString(event.type())
                .addString(event.payload()).addString(event.traceparent());
        return Shards.guard(shard, shards.pool(shard).preparedQuery(PLACE).execute(values))
                .invoke(() -> outbox.committed(shard))
                .map(inserted -> {
                    order.version = 0L; // as stored
                    return new Placement(order, false);
                })
                .onFailure(failure -> attempt < ATTEMPTS && UniqueViolation.of(failure, PRIMARY_KEY))
                .recoverWithUni(() -> place(userId, lines, key, requestHash, attempt + 1))
                .onFailure(failure -> attempt < ATTEMPTS && UniqueViolation.of(failure, Order.IDEMPOTENCY_UNIQUE))
                .recoverWithUni(() -> existing(shard, userId, lines, key, requestHash, attempt));
    }

    /** The key is taken: the same request gets its order back, another one a 422. */
    private Uni<Placement> existing(int shard, long userId, List<OrderLine> lines, String key, String requestHash,
            int attempt) {
        return shards.inTransaction(shard, session -> session
                .createNamedQuery(Order.BY_IDEMPOTENCY_KEY, Order.class)
                .setParameter("user", userId)
                .setParameter("key", key)
                .getSingleResultOrNull()
                .chain(found -> {
                    if (found == null) {
                        return Uni.createFrom().nullItem();
                    }
                    if (found.createdAt.isBefore(clock.instant().minus(idempotencyTtl))) {
                        found.idempotencyKey = null; // expired: free the key for this new request
                        return session.flush().replaceWith((Placement) null);
                    }
                    if (!found.requestHash.equals(requestHash)) {
                        throw ProblemException.unprocessable("Idempotency-Key " + key + " was already used with "
                                + "another request (order " + found.id + "); use a new key for a new order");
                    }
                    return Uni.createFrom().item(new Placement(found, true));
                }))
                .chain(placement -> placement != null ? Uni.createFrom().item(placement)
                        : place(userId, lines, key, requestHash, attempt + 1));
    }

    /** The order's view, or null when there is none. */
    public Uni<OrderView> find(long id) {
        return cache.getOrLoad(key(id), OrderView.class, CACHE_TTL,
                () -> shards.find(shards.shardOfId(id), Order.class, id)
                        .onItem().ifNotNull().transform(OrderView::of));
    }

    /** Drops the cached view after a status change. */
    public Uni<Void> evict(long id) {
        return cache.evict(key(id));
    }

    /** Drops the cached views of several orders with one command. */
    public Uni<Void> evict(java.util.Collection<Long> ids) {
        return cache.evict(ids.stream().map(OrderStore::key).toList());
    }

    /** One user's orders, newest first, before the cursor: one shard, one index range. */
    public Uni<List<Order>> listUser(long userId, PageRequest request) {
        return shards.inReplicaSession(shards.shardOfBucket(Buckets.of(userId)), session -> session
                .createNamedQuery(Order.OF_USER_BEFORE, Order.class)
                .setParameter("user", userId)
                .setParameter("before", request.after() == null ? Long.MAX_VALUE : request.after())
                .setMaxResults(request.fetchSize())
                .getResultList());
    }

    private static String key(long id) {
        return "order:" + id;
    }
}
