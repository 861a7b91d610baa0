package io.million.outbox;

import java.util.Map;
import java.util.Properties;

import jakarta.inject.Inject;
import jakarta.inject.Singleton;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.StringSerializer;

import io.smallrye.common.annotation.Identifier;

/**
 * Kafka producers of this library (the outbox relay's, the dead letters'), built from the same
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
