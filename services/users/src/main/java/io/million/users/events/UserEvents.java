package io.million.users.events;

import jakarta.enterprise.context.ApplicationScoped;

import org.hibernate.reactive.mutiny.Mutiny;

import io.million.outbox.Outbox;
import io.million.users.domain.User;
import io.smallrye.mutiny.Uni;

/**
 * What users publishes on {@value #TOPIC}, always through the outbox of the shard it changed,
 * in the transaction that changed it.
 */
@ApplicationScoped
public class UserEvents {

    public static final String TOPIC = "users.events";
    public static final String USER_CREATED = "user.created";
    public static final String ORDER_USER_CHECKED = "order.user-checked";

    private final Outbox outbox;

    public UserEvents(Outbox outbox) {
        this.outbox = outbox;
    }

    public Uni<Void> created(Mutiny.Session session, User user) {
        var event = new UserCreated(Long.toString(user.id), user.email, user.createdAt);
        return outbox.add(session, TOPIC, Long.toString(user.id), USER_CREATED, event).replaceWithVoid();
    }

    /** The answer to an order: is its user one of ours? Keyed by the order id. */
    public Outbox.Entry orderUserChecked(String orderId, String userId, boolean known, String traceparent) {
        return outbox.entry(TOPIC, orderId, ORDER_USER_CHECKED, new OrderUserChecked(orderId, userId, known),
                traceparent);
    }
}
