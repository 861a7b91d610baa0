package io.million.orders.domain;

import java.time.Instant;
import java.util.List;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.EnumType;
import jakarta.persistence.Enumerated;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import jakarta.persistence.Version;

import org.hibernate.annotations.JdbcTypeCode;
import org.hibernate.type.SqlTypes;

/**
 * An order placed by a user, stored on the shard of that user's key. Its lines are stored with
 * it as JSON: they are written once, read whole and never queried on their own.
 * <p>
 * The saga: PENDING until the catalog has reserved the stock and the users service has vouched
 * for the user (CONFIRMED), or either has said no (REJECTED, with a {@link RejectReason}), or its
 * deadline passed (REJECTED, TIMEOUT). Final states never change; answers that arrive after one
 * are ignored. The transitions are set-based SQL, applied to a batch of answers at once:
 * {@code OrderSaga.ANSWER} and {@code OrderDeadlines}.
 */
@Entity
@Table(name = "orders")
@jakarta.persistence.NamedQuery(name = Order.BY_IDEMPOTENCY_KEY,
        query = "from Order where userId = :user and idempotencyKey = :key")
@jakarta.persistence.NamedQuery(name = Order.OF_USER_BEFORE,
        query = "from Order where userId = :user and id < :before order by id desc")
public class Order {

    /** Queries are named: parsed when Hibernate boots, not on a request (a cold parse takes seconds). */
    public static final String BY_IDEMPOTENCY_KEY = "Order.byIdempotencyKey";
    public static final String OF_USER_BEFORE = "Order.ofUserBefore";

    /** The unique index that makes an Idempotency-Key single-use per user. */
    public static final String IDEMPOTENCY_UNIQUE = "orders_user_idempotency_key";

    @Id
    public Long id;

    @Column(name = "user_id", nullable = false)
    public long userId;

    @Enumerated(EnumType.STRING)
    @Column(nullable = false, length = 16)
    public OrderStatus status;

    @JdbcTypeCode(SqlTypes.JSON)
    @Column(nullable = false)
    public OrderLines lines;

    @Column(name = "stock_reserved", nullable = false)
    public boolean stockReserved;

    @Column(name = "user_known", nullable = false)
    public boolean userKnown;

    @Enumerated(EnumType.STRING)
    @Column(name = "reject_reason", length = 32)
    public RejectReason rejectReason;

    @Column(name = "idempotency_key", length = 255)
    public String idempotencyKey;

    @Column(name = "request_hash", length = 64)
    public String requestHash;

    @Column(name = "created_at", nullable = false)
    public Instant createdAt;

    @Column(name = "updated_at", nullable = false)
    public Instant updatedAt;

    @Version
    public Long version;

    protected Order() {
    }

    /** A new order waits for the stock reservation and the user check. */
    public static Order place(long id, long userId, List<OrderLine> lines, String idempotencyKey,
            String requestHash, Instant now) {
        Order order = new Order();
        order.id = id;
        order.userId = userId;
        order.lines = new OrderLines(List.copyOf(lines));
        order.status = OrderStatus.PENDING;
        order.idempotencyKey = idempotencyKey;
        order.requestHash = requestHash;
        order.createdAt = now;
        order.updatedAt = now;
        return order;
    }
}
