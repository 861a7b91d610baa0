package io.million.outbox;

import jakarta.inject.Singleton;

import io.micrometer.core.instrument.MeterRegistry;
import io.million.sharding.Shards;

/** Builds the {@link EventConsumer} of each of a service's {@link EventHandler}s. */
@Singleton
public class EventConsumers {

    private final Shards shards;
    private final Outbox outbox;
    private final DeadLetters deadLetters;
    private final OutboxConfig config;
    private final MeterRegistry registry;
    private final io.opentelemetry.api.trace.Tracer tracer;
    private final RetryTopic retryTopic;
    private final java.util.Map<String, EventConsumer<?>> byName = new java.util.concurrent.ConcurrentHashMap<>();

    public EventConsumers(Shards shards, Outbox outbox, DeadLetters deadLetters, OutboxConfig config,
            MeterRegistry registry, io.opentelemetry.api.OpenTelemetry telemetry, RetryTopic retryTopic) {
        this.retryTopic = retryTopic;
        this.tracer = telemetry.getTracer("io.million.outbox");
        this.shards = shards;
        this.outbox = outbox;
        this.deadLetters = deadLetters;
        this.config = config;
        this.registry = registry;
    }

    public <T> EventConsumer<T> of(EventHandler<T> handler) {
        EventConsumer<T> consumer = new EventConsumer<>(handler, shards, outbox, deadLetters, config.retry(), registry,
                tracer, retryTopic);
        byName.put(handler.name(), consumer);
        return consumer;
    }

    /** The consumer of the handler named {@code name}, once its bean exists; null before. */
    EventConsumer<?> named(String name) {
        return byName.get(name);
    }
}
