package io.million.catalog.store;

import java.time.Clock;
import java.util.function.Consumer;

import jakarta.enterprise.context.ApplicationScoped;

import io.million.catalog.domain.Product;
import io.million.catalog.domain.ProductStock;
import io.million.catalog.events.CatalogEvents;
import io.million.outbox.Outbox;
import io.million.sharding.Buckets;
import io.million.sharding.RowForChange;
import io.million.sharding.ShardIds;
import io.million.sharding.Shards;
import io.million.web.paging.PageRequest;
import io.million.web.problem.ProblemException;
import io.million.web.problem.UniqueViolation;
import io.smallrye.mutiny.Uni;

/**
 * Products on the catalog's shard set. A product's id carries its sku's bucket, so a sku always
 * lives on one shard, where a unique index enforces it; the stock row shares the product's shard.
 * Reads are cached as ready-to-send representations by the API layer.
 */
@ApplicationScoped
public class ProductStore {

    private static final int ID_ATTEMPTS = 3;
    private static final String PRIMARY_KEY = "products_pkey";

    private final Shards shards;
    private final Outbox outbox;
    private final CatalogEvents events;
    private final ShardIds ids = new ShardIds();
    private final Clock clock = Clock.systemUTC();

    public ProductStore(Shards shards, Outbox outbox, CatalogEvents events) {
        this.shards = shards;
        this.outbox = outbox;
        this.events = events;
    }

    /** Inserts the product, its stock and its product.created event together; a taken sku is a 409 problem. */
    public Uni<Product> create(String sku, String name, String description, String category, long priceCents,
            String currency, int stock) {
        return create(sku.strip(), name, description, category, priceCents, currency, stock, 1);
    }

    private Uni<Product> create(String sku, String name, String description, String category, long priceCents,
            String currency, int stock, int attempt) {
        int bucket = Buckets.of(sku);
        Product product = Product.create(ids.next(bucket), sku, name, description, category, priceCents, currency,
                clock.instant());
        return outbox.inTransaction(shards.shardOfBucket(bucket), session -> session
                .persistAll(product, new ProductStock(product.id, stock))
                .call(session::flush)
                .call(() -> events.created(session, product))
                .replaceWith(product))
                .onFailure(failure -> UniqueViolation.of(failure, Product.SKU_UNIQUE))
                .transform(failure -> ProblemException.conflict("A product with sku " + sku + " exists"))
                .onFailure(failure -> attempt < ID_ATTEMPTS && UniqueViolation.of(failure, PRIMARY_KEY))
                .recoverWithUni(() -> create(sku, name, description, category, priceCents, currency, stock,
                        attempt + 1));
    }

    /** The product, or null when there is none: from the primary, as it fills the cache. */
    public Uni<Product> find(long id) {
        return shards.find(shards.shardOfId(id), Product.class, id);
    }

    /** Applies {@code change} to the product; {@code ifMatch} (may be null) must name its version. */
    public Uni<Product> update(long id, String ifMatch, Consumer<Product> change) {
        return shards.inTransaction(shards.shardOfId(id), session -> RowForChange
                .lock(session, Product.class, id, product -> product.version, ifMatch, "product")
                .invoke(change)
                .call(session::flush));
    }

    /** Deletes the product and its stock, answering what was deleted; {@code ifMatch} (may be null) must name its version. */
    public Uni<Product> delete(long id, String ifMatch) {
        return shards.inTransaction(shards.shardOfId(id), session -> RowForChange
                .lock(session, Product.class, id, product -> product.version, ifMatch, "product")
                .call(product -> session.find(ProductStock.class, id).onItem().ifNotNull().call(session::remove))
                .call(session::remove));
    }

    public Uni<ProductStock> stock(long id) {
        return shards.inSession(shards.shardOfId(id), session -> session.find(ProductStock.class, id));
    }

    /** Products of one category by id, after the cursor, from every shard. */
    public Uni<Shards.Gathered<Product>> listCategory(String category, PageRequest request) {
        long after = request.after() == null ? -1 : request.after();
        return shards.scatter(session -> session
                .createNamedQuery(Product.BY_CATEGORY, Product.class)
                .setParameter("category", category)
                .setParameter("after", after)
                .setMaxResults(request.fetchSize())
                .getResultList(), product -> product.id, request.fetchSize());
    }
}
