package io.million.orders.domain;

import java.time.Instant;
import java.util.List;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.EnumType;
import jakarta.persistence.Enumerated;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Index;
import jakarta.persistence.SequenceGenerator;
import jakarta.persistence.Table;
import jakarta.persistence.Version;

import org.hibernate.annotations.JdbcTypeCode;
import org.hibernate.type.SqlTypes;

/**
 * An order placed by a user. Its lines are stored with it as JSON: they are written once, read
 * whole and never queried on their own.
 */
@Entity
@Table(name = "orders", indexes = @Index(name = "orders_user_id", columnList = "user_id, id"))
public class Order {

    @Id
    @GeneratedValue(strategy = GenerationType.SEQUENCE, generator = "orders_id")
    @SequenceGenerator(name = "orders_id", sequenceName = "orders_id_seq", allocationSize = 50)
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

    @Version
    public long version;

    protected Order() {
    }

    /** A new order waits for the stock reservation. */
    public static Order place(long userId, List<OrderLine> lines, Instant now) {
        Order order = new Order();
        order.userId = userId;
        order.lines = new OrderLines(List.copyOf(lines));
        order.status = OrderStatus.PENDING;
        order.createdAt = now;
        return order;
    }
}
