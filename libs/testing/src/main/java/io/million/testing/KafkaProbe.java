package io.million.testing;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.UUID;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * Reads what a service really published to the local Kafka broker: a throwaway consumer group
 * reads the topic from the beginning until a record with the wanted key arrives or time runs out.
 */
public final class KafkaProbe {

    private KafkaProbe() {
    }

    /**
     * The value of the first record on {@code topic} keyed {@code key} whose value contains
     * {@code marker} (something unique to this test, since the topic outlives test runs).
     */
    public static Optional<String> awaitRecord(String topic, String key, String marker, Duration timeout) {
        Properties config = new Properties();
        String port = System.getenv().getOrDefault("MILLION_KAFKA_PORT", "9092");
        config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, "127.0.0.1:" + port);
        config.put(ConsumerConfig.GROUP_ID_CONFIG, "million-test-probe-" + UUID.randomUUID());
        config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        config.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        config.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        Instant deadline = Instant.now().plus(timeout);
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(config)) {
            consumer.subscribe(List.of(topic));
            while (Instant.now().isBefore(deadline)) {
                for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(500))) {
                    if (key.equals(record.key()) && record.value() != null && record.value().contains(marker)) {
                        return Optional.of(record.value());
                    }
                }
            }
        }
        return Optional.empty();
    }
}
