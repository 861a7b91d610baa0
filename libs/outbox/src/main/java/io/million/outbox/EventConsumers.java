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

    public EventConsumers(Shards shards, Outbox outbox, DeadLetters deadLetters, OutboxConfig config,
            MeterRegistry registry, io.opentelemetry.api.OpenTelemetry telemetry) {
        this.tracer = telemetry.getTracer("io.million.outbox");
        this.shards = shards;
        this.outbox = outbox;
        this.deadLetters = deadLetters;
        this.config = config;
        this.registry = registry;
    }

    public <T> EventConsumer<T> of(EventHandler<T> handler) {
        return new EventConsumer<>(handler, shards, outbox, deadLetters, config.retry(), registry, tracer);
    }
}
