package io.million.outbox;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import jakarta.enterprise.context.ApplicationScoped;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.eclipse.microprofile.reactive.messaging.Incoming;

import io.smallrye.mutiny.Uni;

/**
 * Reads this service's retry topic ({@link RetryTopic}, channel {@code million-retries}) and hands
 * each parked record back to the consumer that parked it ({@code retry-consumer}), which tries it
 * again when it is due. A record for no consumer of this service is dead-lettered.
 */
@ApplicationScoped
public class RetryTopicConsumer {

    /** The handlers' beans start with the channels; a parked record may arrive a moment before. */
    private static final Duration REGISTRATION = Duration.ofSeconds(30);

    private final EventConsumers consumers;
    private final DeadLetters deadLetters;

    public RetryTopicConsumer(EventConsumers consumers, DeadLetters deadLetters) {
        this.consumers = consumers;
        this.deadLetters = deadLetters;
    }

    @Incoming("million-retries")
    public Uni<Void> onRetries(ConsumerRecords<String, String> records) {
        Map<String, List<ConsumerRecord<String, String>>> byConsumer = new LinkedHashMap<>();
        for (ConsumerRecord<String, String> record : records) {
            String name = RetryTopic.header(record, RetryTopic.CONSUMER);
            byConsumer.computeIfAbsent(name == null ? "" : name, key -> new ArrayList<>()).add(record);
        }
        Uni<Void> all = Uni.createFrom().voidItem();
        for (var entry : byConsumer.entrySet()) {
            all = all.chain(() -> consumer(entry.getKey())
                    .chain(consumer -> consumer.retry(entry.getValue()))
                    .onFailure(NoSuchConsumer.class).recoverWithUni(failure -> deadLetters.send(entry.getValue()
                            .stream().map(record -> new DeadLetters.Letter(record, failure)).toList())));
        }
        return all;
    }

    private Uni<EventConsumer<?>> consumer(String name) {
        return Uni.createFrom().<EventConsumer<?>> item(() -> consumers.named(name))
                .onItem().ifNull().failWith(() -> new NoSuchConsumer(name))
                .onFailure().retry().withBackOff(Duration.ofMillis(100), Duration.ofSeconds(2))
                .expireIn(REGISTRATION.toMillis())
                .onFailure(failure -> failure.getCause() instanceof NoSuchConsumer).transform(Throwable::getCause);
    }

    /** A parked record names a consumer this service does not have. */
    static final class NoSuchConsumer extends PoisonEvent {
        NoSuchConsumer(String name) {
            super("a parked event for '" + name + "', which is no consumer of this service");
        }
    }
}
