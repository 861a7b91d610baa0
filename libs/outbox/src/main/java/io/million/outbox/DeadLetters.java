package io.million.outbox;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import jakarta.annotation.PreDestroy;
import jakarta.inject.Singleton;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import io.smallrye.mutiny.Uni;

/**
 * Writes records that will never apply to this service's dead-letter topic ({@code <service>.dlq},
 * the connector's {@code dead-letter-queue.topic}), with the headers SmallRye's dead-letter queue
 * uses: {@code dead-letter-reason}, {@code dead-letter-cause}, {@code dead-letter-topic},
 * {@code dead-letter-partition}, {@code dead-letter-offset}, and the record's own headers and key.
 * A consumer dead-letters single records of a batch itself, so one poison record does not send its
 * whole batch there; the returned Uni completes when Kafka has the letters.
 */
@Singleton
public class DeadLetters {

    private static final Logger LOG = Logger.getLogger(DeadLetters.class);

    private final KafkaClients clients;
    private final String topic;
    private final String clientId;
    private volatile KafkaProducer<String, String> producer;

    public DeadLetters(KafkaClients clients,
            @ConfigProperty(name = "mp.messaging.connector.smallrye-kafka.dead-letter-queue.topic") String topic,
            @ConfigProperty(name = "quarkus.application.name") String application) {
        this.clients = clients;
        this.topic = topic;
        this.clientId = application + "-dead-letters";
    }

    /** One record, why it is dead, and the consumer (handler name) it was for, if known. */
    public record Letter(ConsumerRecord<String, String> record, Throwable reason, String consumer) {
        public Letter(ConsumerRecord<String, String> record, Throwable reason) {
            this(record, reason, null);
        }
    }

    /** Header naming the consumer a letter was for: a replay gives it back to that consumer only. */
    static final String CONSUMER = "dead-letter-consumer";

    public String topic() {
        return topic;
    }

    public Uni<Void> send(List<Letter> letters) {
        if (letters.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        List<ProducerRecord<String, String>> acks = letters.stream().map(letter -> {
            ConsumerRecord<String, String> record = letter.record();
            LOG.warnf("dead-lettering %s-%d@%d to %s: %s", record.topic(), record.partition(), record.offset(), topic,
                    letter.reason().getMessage());
            RecordHeaders headers = new RecordHeaders();
            for (Header header : record.headers()) {
                if (!header.key().startsWith("dead-letter-") && !header.key().startsWith(RetryTopic.PREFIX)) {
                    headers.add(header);
                }
            }
            // A parked record dead-letters as the record it was parked from.
            String from = RetryTopic.header(record, RetryTopic.TOPIC);
            add(headers, "dead-letter-reason", String.valueOf(letter.reason().getMessage()));
            if (letter.reason().getCause() != null) {
                add(headers, "dead-letter-cause", String.valueOf(letter.reason().getCause().getMessage()));
            }
            add(headers, "dead-letter-topic", from != null ? from : record.topic());
            String consumer = letter.consumer() != null ? letter.consumer() : RetryTopic.header(record, RetryTopic.CONSUMER);
            if (consumer != null) {
                add(headers, CONSUMER, consumer);
            }
            add(headers, "dead-letter-partition", from != null ? RetryTopic.header(record, RetryTopic.PARTITION)
                    : Integer.toString(record.partition()));
            add(headers, "dead-letter-offset", from != null ? RetryTopic.header(record, RetryTopic.OFFSET)
                    : Long.toString(record.offset()));
            return new ProducerRecord<>(topic, null, record.key(), record.value(), headers);
        }).toList();
        return publish(acks);
    }

    /** Sends {@code records}; completes when Kafka has every one of them. */
    Uni<Void> publish(List<ProducerRecord<String, String>> records) {
        List<Uni<Void>> acks = records.stream().map(record -> Uni.createFrom().<Void> emitter(emitter -> producer()
                .send(record, (metadata, failure) -> {
                    if (failure != null) {
                        emitter.fail(failure);
                    } else {
                        emitter.complete(null);
                    }
                }))).toList();
        // KafkaProducer.send may block for metadata (max.block.ms): never on an event loop.
        return Uni.join().all(acks).andFailFast().replaceWithVoid()
                .runSubscriptionOn(io.smallrye.mutiny.infrastructure.Infrastructure.getDefaultWorkerPool());
    }

    private KafkaProducer<String, String> producer() {
        KafkaProducer<String, String> current = producer;
        if (current == null) {
            synchronized (this) {
                if (producer == null) {
                    producer = clients.producer(clientId, Map.of(ProducerConfig.ACKS_CONFIG, "all",
                            ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true",
                            ProducerConfig.MAX_BLOCK_MS_CONFIG, "5000",
                            ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, "30000",
                            ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, "10000"));
                }
                current = producer;
            }
        }
        return current;
    }

    private static void add(RecordHeaders headers, String name, String value) {
        headers.add(name, value.getBytes(StandardCharsets.UTF_8));
    }

    @PreDestroy
    void close() {
        if (producer != null) {
            producer.close(java.time.Duration.ofSeconds(2));
        }
    }
}
