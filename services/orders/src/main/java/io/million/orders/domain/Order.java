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
 */
@Entity
@Table(name = "orders")
public class Order {

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

    @Column(name = "created_at", nullable = false)
    public Instant createdAt;

    @Column(name = "updated_at", nullable = false)
    public Instant updatedAt;

    @Version
    public Long version;

    protected Order() {
    }

    /** A new order waits for the stock reservation. */
    public static Order place(long id, long userId, List<OrderLine> lines, Instant now) {
        Order order = new Order();
        order.id = id;
        order.userId = userId;
        order.lines = new OrderLines(List.copyOf(lines));
        order.status = OrderStatus.PENDING;
        order.createdAt = now;
        order.updatedAt = now;
        return order;
    }
}
