package io.million.catalog.events;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.reactive.messaging.Channel;
import org.jboss.logging.Logger;

import io.million.catalog.domain.Product;
import io.smallrye.reactive.messaging.MutinyEmitter;
import io.smallrye.reactive.messaging.kafka.Record;

/**
 * Publishes catalog events to Kafka ({@code catalog.events}) after the write has committed.
 * Best effort until the transactional outbox replaces it: a failed publish is logged.
 */
@ApplicationScoped
public class CatalogEvents {

    private static final Logger LOG = Logger.getLogger(CatalogEvents.class);

    private final MutinyEmitter<Record<String, ProductCreated>> emitter;

    public CatalogEvents(@Channel("catalog-events") MutinyEmitter<Record<String, ProductCreated>> emitter) {
        this.emitter = emitter;
    }

    public void created(Product product) {
        var event = new ProductCreated(Long.toString(product.id), product.sku, product.category, product.createdAt);
        emitter.send(Record.of(Long.toString(product.id), event)).subscribe().with(
                ignored -> { },
                failure -> LOG.warnf("product.created for %d not published: %s", product.id, failure.toString()));
    }
}
