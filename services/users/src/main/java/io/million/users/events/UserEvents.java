package io.million.users.events;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.reactive.messaging.Channel;
import org.jboss.logging.Logger;

import io.million.users.domain.User;
import io.smallrye.reactive.messaging.MutinyEmitter;
import io.smallrye.reactive.messaging.kafka.Record;

/**
 * Publishes user events to Kafka ({@code users.events}) after the write has committed.
 * Best effort for now: a failed publish is logged, not retried; the transactional outbox
 * (libs/outbox) replaces this so that no committed event can be lost.
 */
@ApplicationScoped
public class UserEvents {

    private static final Logger LOG = Logger.getLogger(UserEvents.class);

    private final MutinyEmitter<Record<String, UserCreated>> emitter;

    public UserEvents(@Channel("user-events") MutinyEmitter<Record<String, UserCreated>> emitter) {
        this.emitter = emitter;
    }

    public void created(User user) {
        UserCreated event = new UserCreated(Long.toString(user.id), user.email, user.createdAt);
        emitter.send(Record.of(Long.toString(user.id), event)).subscribe().with(
                ignored -> { },
                failure -> LOG.warnf("user.created for %d not published: %s", user.id, failure.toString()));
    }
}
