package io.million.orders.store;

import java.time.Duration;
import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;

import org.hibernate.reactive.mutiny.Mutiny;

import io.million.cache.RedisTier;
import io.million.orders.api.OrderView;
import io.million.orders.domain.Order;
import io.million.web.paging.PageRequest;
import io.smallrye.mutiny.Uni;

/** Orders in PostgreSQL, with reads through this service's Redis tier. */
@ApplicationScoped
public class OrderStore {

    /** Short: an order's status changes soon after it is placed. */
    private static final Duration CACHE_TTL = Duration.ofSeconds(5);

    private final Mutiny.SessionFactory sessions;
    private final RedisTier cache;

    public OrderStore(Mutiny.SessionFactory sessions, RedisTier cache) {
        this.sessions = sessions;
        this.cache = cache;
    }

    public Uni<Order> create(Order order) {
        return sessions.withTransaction(session -> session.persist(order).replaceWith(order));
    }

    /** The order's view, or null when there is none. */
    public Uni<OrderView> find(long id) {
        return cache.getOrLoad("order:" + id, OrderView.class, CACHE_TTL,
                () -> sessions.withSession(session -> session.find(Order.class, id))
                        .onItem().ifNotNull().transform(OrderView::of));
    }

    /** One user's orders, newest first, before the cursor: one more than a page, to detect the next. */
    public Uni<List<Order>> listUser(long userId, PageRequest request) {
        return sessions.withSession(session -> session
                .createSelectionQuery("from Order where userId = :user and id < :before order by id desc",
                        Order.class)
                .setParameter("user", userId)
                .setParameter("before", request.after() == null ? Long.MAX_VALUE : request.after())
                .setMaxResults(request.fetchSize())
                .getResultList());
    }
}
