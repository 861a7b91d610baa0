package io.million.outbox;

import java.util.Map;
import java.util.Properties;

import jakarta.inject.Inject;
import jakarta.inject.Singleton;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

import io.smallrye.common.annotation.Identifier;

/**
 * Kafka clients of this library (the outbox relay's and the dead letters' producers, the
 * dead-letter reader), built from the same
 * {@code kafka.*} configuration the consumers use (Quarkus' {@code default-kafka-broker} map:
 * bootstrap servers, SASL, TLS, from properties or environment), so a secured cluster needs its
 * settings once.
 */
@Singleton
public class KafkaClients {

    private final Map<String, Object> kafka;

    @Inject
    public KafkaClients(@Identifier("default-kafka-broker") Map<String, Object> kafka) {
        this.kafka = kafka;
    }

    /**
     * A consumer with every consumer setting of {@code kafka.*}, then {@code groupId}, no
     * automatic commits and {@code earliest} for a group without offsets.
     */
    public KafkaConsumer<String, String> consumer(String clientId, String groupId) {
        Properties properties = new Properties();
        kafka.forEach((name, value) -> {
            if (ConsumerConfig.configNames().contains(name) && value != null) {
                properties.put(name, value.toString());
            }
        });
        properties.put(ConsumerConfig.CLIENT_ID_CONFIG, clientId);
        properties.put(ConsumerConfig.GROUP_ID_CONFIG, groupId);
        properties.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        properties.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        return new KafkaConsumer<>(properties, new StringDeserializer(), new StringDeserializer());
    }

    /** A producer with every producer setting of {@code kafka.*}, then {@code overrides}. */
    public KafkaProducer<String, String> producer(String clientId, Map<String, String> overrides) {
        Properties properties = new Properties();
        kafka.forEach((name, value) -> {
            if (ProducerConfig.configNames().contains(name) && value != null) {
                properties.put(name, value.toString());
            }
        });
        properties.put(ProducerConfig.CLIENT_ID_CONFIG, clientId);
        properties.putAll(overrides);
        // Serializer instances, not class names: nothing for native-image reflection to miss.
        return new KafkaProducer<>(properties, new StringSerializer(), new StringSerializer());
    }
}
