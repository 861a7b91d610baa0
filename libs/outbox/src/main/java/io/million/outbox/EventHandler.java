package io.million.outbox;

import java.util.List;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.SqlConnection;

/**
 * A service's rules for the events of one channel, applied by {@link EventConsumer}: what an event
 * means and where (which shard), and what a batch of fresh events does to one shard, in set-based
 * SQL inside the transaction that also records their ids as processed.
 *
 * @param <T> what an event means to this service (the parsed, checked payload)
 */
public interface EventHandler<T> {

    /** The consumer name under which processed event ids are recorded. */
    String name();

    /**
     * Where {@code event} applies: one {@link Routed} per shard it changes, none when it is not this
     * service's business. Throws {@link PoisonEvent} when it can never be applied (unreadable,
     * names no id: a contract violation); it then goes to the dead-letter topic at once.
     */
    List<Routed<T>> route(InboundEvent event);

    /**
     * Applies the fresh events of one shard (in partition order; redeliveries are already dropped)
     * inside {@code tx}, and returns the outbox entries they cause (written in the same
     * transaction). Fails only on a failure of the shard: anything else is a bug.
     */
    Uni<List<Outbox.Entry>> apply(SqlConnection tx, int shard, List<Routed<T>> fresh);

    /** After the commit, for every event of the group (fresh or redelivered): e.g. cache evictions. */
    default Uni<Void> committed(int shard, List<Routed<T>> all) {
        return Uni.createFrom().voidItem();
    }

    /**
     * Whether this event must be applied on its own, outside the shard groups (e.g. a step that
     * spans shards with its own transactions): {@link #applyAlone} then does it, idempotently.
     */
    default boolean alone(Routed<T> routed) {
        return false;
    }

    default Uni<Void> applyAlone(Routed<T> routed) {
        throw new UnsupportedOperationException(name() + " applies no event alone");
    }

    /**
     * One event as it applies to one shard: {@code key} is the id of the entity it was routed by
     * (its bucket is where the event's processed id is kept, so the id moves with the entity).
     */
    record Routed<T>(InboundEvent event, int shard, long key, T item) {
    }
}
