package io.million.orders.store;

import java.time.Clock;
import java.time.Duration;
import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;

import io.million.cache.RedisTier;
import io.million.orders.api.OrderView;
import io.million.orders.domain.Order;
import io.million.orders.domain.OrderLine;
import io.million.sharding.Buckets;
import io.million.sharding.ShardIds;
import io.million.sharding.Shards;
import io.million.web.paging.PageRequest;
import io.million.web.problem.UniqueViolation;
import io.smallrye.mutiny.Uni;

/**
 * Orders on the shard set, sharded by the ordering user's key, with reads through this
 * service's Redis tier.
 */
@ApplicationScoped
public class OrderStore {

    /** Short: an order's status changes soon after it is placed. */
    private static final Duration CACHE_TTL = Duration.ofSeconds(5);
    private static final int ID_ATTEMPTS = 3;
    private static final String PRIMARY_KEY = "orders_pkey";

    private final Shards shards;
    private final ShardIds ids = new ShardIds();
    private final RedisTier cache;
    private final Clock clock = Clock.systemUTC();

    public OrderStore(Shards shards, RedisTier cache) {
        this.shards = shards;
        this.cache = cache;
    }

    public Uni<Order> place(long userId, List<OrderLine> lines) {
        return place(userId, lines, 1);
    }

    private Uni<Order> place(long userId, List<OrderLine> lines, int attempt) {
        int bucket = Buckets.of(userId);
        Order order = Order.place(ids.next(bucket), userId, lines, clock.instant());
        return shards.inTransaction(shards.shardOfBucket(bucket), session -> session.persist(order).replaceWith(order))
                .onFailure(failure -> attempt < ID_ATTEMPTS && UniqueViolation.of(failure, PRIMARY_KEY))
                .recoverWithUni(() -> place(userId, lines, attempt + 1));
    }

    /** The order's view, or null when there is none. */
    public Uni<OrderView> find(long id) {
        return cache.getOrLoad("order:" + id, OrderView.class, CACHE_TTL,
                () -> shards.findPreferringReplica(shards.shardOfId(id), Order.class, id)
                        .onItem().ifNotNull().transform(OrderView::of));
    }

    /** One user's orders, newest first, before the cursor: one shard, one index range. */
    public Uni<List<Order>> listUser(long userId, PageRequest request) {
        return shards.inReplicaSession(shards.shardOfBucket(Buckets.of(userId)), session -> session
                .createSelectionQuery("from Order where userId = :user and id < :before order by id desc",
                        Order.class)
                .setParameter("user", userId)
                .setParameter("before", request.after() == null ? Long.MAX_VALUE : request.after())
                .setMaxResults(request.fetchSize())
                .getResultList());
    }
}
