package io.million.catalog.service;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

import jakarta.enterprise.context.ApplicationScoped;

import io.million.cache.EdgePurger;
import io.million.cache.TieredCache;
import io.million.catalog.domain.Product;
import io.million.catalog.store.ProductStore;
import io.smallrye.mutiny.Uni;

/**
 * Every product write, whole, in one place: the row change (its event in the same transaction,
 * by {@link ProductStore}), then every copy dropped: L1 and L2 on every replica
 * ({@link TieredCache}) and the edge's copies of the product and of the listings of its category,
 * before and after a move ({@link EdgePurger}). Resources map HTTP to these calls and nothing more,
 * so no write path can forget an invalidation.
 */
@ApplicationScoped
public class ProductService {

    private final ProductStore store;
    private final TieredCache cache;
    private final EdgePurger edge;

    public ProductService(ProductStore store, TieredCache cache, EdgePurger edge) {
        this.store = store;
        this.cache = cache;
        this.edge = edge;
    }

    /** A new product with its stock; a taken sku is a 409 problem. */
    public Uni<Product> create(String sku, String name, String description, String category, long priceCents,
            String currency, int stock) {
        return store.create(sku, name, description, category, priceCents, currency, stock)
                .call(created -> invalidate(created.id, created.category, null));
    }

    /** Applies {@code change}; {@code ifMatch} (may be null) must name the product's version. */
    public Uni<Product> change(long id, String ifMatch, Consumer<Product> change) {
        String[] categoryBefore = new String[1];
        return store.update(id, ifMatch, product -> {
            categoryBefore[0] = product.category;
            change.accept(product);
        }).call(updated -> invalidate(id, updated.category, categoryBefore[0]));
    }

    /** Deletes the product and its stock; {@code ifMatch} (may be null) must name its version. */
    public Uni<Product> delete(long id, String ifMatch) {
        return store.delete(id, ifMatch).call(deleted -> invalidate(id, deleted.category, null));
    }

    private Uni<Void> invalidate(long productId, String category, String categoryBefore) {
        List<String> keys = new ArrayList<>(3);
        keys.add(SurrogateKeys.product(productId));
        keys.add(SurrogateKeys.category(category));
        if (categoryBefore != null && !categoryBefore.equals(category)) {
            keys.add(SurrogateKeys.category(categoryBefore));
        }
        return cache.invalidate(Long.toString(productId)).chain(() -> edge.purge(keys));
    }
}
