package io.million.outbox;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import jakarta.inject.Singleton;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.TextMapPropagator;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.RowSet;

/**
 * The relay's Kafka side: publishes a shard's claimed outbox rows, each with its event id, type
 * and the trace context (a producer span per event, child of the writer's), and waits for Kafka's
 * acknowledgements ({@code acks=all}, idempotent, {@code million.outbox.publish-timeout}). Used by
 * the relay's thread only; after a failure the producer starts afresh ({@link #reset}).
 */
@Singleton
public class OutboxPublisher {

    private static final Logger LOG = Logger.getLogger(OutboxPublisher.class);

    private final OutboxConfig config;
    private final KafkaClients clients;
    private final String clientId;
    private final Tracer tracer;
    private final TextMapPropagator propagator = W3CTraceContextPropagator.getInstance();
    private KafkaProducer<String, String> producer;

    public OutboxPublisher(OutboxConfig config, KafkaClients clients, OpenTelemetry telemetry,
            @ConfigProperty(name = "quarkus.application.name") String application) {
        this.config = config;
        this.clients = clients;
        this.clientId = application + "-outbox-relay";
        this.tracer = telemetry.getTracer("io.million.outbox");
    }

    /** Rows come back from {@code delete ... returning} in no promised order: publish them in id order. */
    void publish(RowSet<Row> deleted) throws Exception {
        List<Row> rows = new ArrayList<>(deleted.size());
        deleted.forEach(rows::add);
        rows.sort(java.util.Comparator.comparingLong(row -> row.getLong("id")));
        KafkaProducer<String, String> kafka = producer();
        List<Future<RecordMetadata>> acks = new ArrayList<>(rows.size());
        List<Span> spans = new ArrayList<>();
        try {
            for (Row row : rows) {
                String topic = config.topic(row.getString("topic"));
                String type = row.getString("event_type");
                RecordHeaders headers = new RecordHeaders();
                headers.add(OutboxRelay.EVENT_ID, row.getUUID("event_id").toString().getBytes(StandardCharsets.UTF_8));
                headers.add(OutboxRelay.EVENT_TYPE, type.getBytes(StandardCharsets.UTF_8));
                String traceparent = row.getString("traceparent");
                if (traceparent != null) {
                    // The relay's hop as a span of the trace that wrote the event; consumers continue it.
                    Context parent = propagator.extract(Context.root(), traceparent, OutboxRelay.TRACEPARENT);
                    Span span = tracer.spanBuilder(topic + " publish").setParent(parent)
                            .setSpanKind(SpanKind.PRODUCER)
                            .setAttribute("messaging.system", "kafka")
                            .setAttribute("messaging.destination.name", topic)
                            .setAttribute("messaging.operation.type", "publish")
                            .setAttribute("million.event.type", type).startSpan();
                    spans.add(span);
                    String propagated = Outbox.traceparent(span.getSpanContext());
                    headers.add("traceparent", (propagated != null ? propagated : traceparent)
                            .getBytes(StandardCharsets.UTF_8));
                }
                acks.add(kafka.send(new ProducerRecord<>(topic, null, row.getString("event_key"),
                        row.getString("payload"), headers)));
            }
            long deadline = System.nanoTime() + config.publishTimeout().toNanos();
            for (Future<RecordMetadata> ack : acks) {
                ack.get(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            }
        } finally {
            spans.forEach(Span::end);
        }
    }

    private KafkaProducer<String, String> producer() {
        if (producer == null) {
            producer = clients.producer(clientId, Map.of(
                    ProducerConfig.ACKS_CONFIG, "all",
                    ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true",
                    ProducerConfig.LINGER_MS_CONFIG, Long.toString(config.producerLinger().toMillis()),
                    ProducerConfig.BATCH_SIZE_CONFIG, "262144",
                    ProducerConfig.MAX_BLOCK_MS_CONFIG, "5000",
                    ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, "5000",
                    ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG,
                    Long.toString(Math.max(config.publishTimeout().toMillis(), 5001))));
        }
        return producer;
    }

    /** After a failure the producer starts afresh: no half-failed idempotence state carries over. */
    void reset() {
        if (producer != null) {
            try {
                producer.close(Duration.ofSeconds(1));
            } catch (RuntimeException e) {
                LOG.debugf("closing the outbox producer: %s", e);
            }
            producer = null;
        }
    }}
