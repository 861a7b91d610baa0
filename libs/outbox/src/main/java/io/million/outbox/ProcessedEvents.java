package io.million.outbox;

import java.util.UUID;

import org.hibernate.reactive.mutiny.Mutiny;

import io.million.sharding.ShardIds;
import io.smallrye.mutiny.Uni;

/**
 * The processed-event ids of a consumer, stored on the shard where it applies the event's effect
 * and in the same transaction, so a redelivered event is recognised and changes nothing.
 */
public final class ProcessedEvents {

    private ProcessedEvents() {
    }

    /**
     * Records {@code eventId} for {@code consumer} in the bucket of {@code key}, the entity whose
     * shard applies it; true the first time, false for a redelivery.
     */
    public static Uni<Boolean> record(Mutiny.Session session, String consumer, UUID eventId, long key) {
        return session.createNativeQuery("insert into processed_events (consumer, event_id, bucket) "
                + "values (:consumer, :id, :bucket) on conflict do nothing")
                .setParameter("consumer", consumer)
                .setParameter("id", eventId)
                .setParameter("bucket", (short) ShardIds.bucketOf(key))
                .executeUpdate()
                .map(inserted -> inserted == 1);
    }

    /** Whether {@code consumer} has already applied {@code eventId} on this shard. */
    public static Uni<Boolean> seen(Mutiny.Session session, String consumer, UUID eventId) {
        return session.createNativeQuery("select count(*) from processed_events where consumer = :consumer "
                + "and event_id = :id", Long.class)
                .setParameter("consumer", consumer)
                .setParameter("id", eventId)
                .getSingleResult()
                .map(count -> count > 0);
    }
}
