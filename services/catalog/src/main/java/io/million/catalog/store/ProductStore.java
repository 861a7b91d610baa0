package io.million.catalog.store;

import java.time.Duration;
import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;

import org.hibernate.reactive.mutiny.Mutiny;

import io.million.cache.RedisTier;
import io.million.catalog.api.ProductView;
import io.million.catalog.domain.Product;
import io.million.web.paging.PageRequest;
import io.million.web.problem.ProblemException;
import io.million.web.problem.UniqueViolation;
import io.smallrye.mutiny.Uni;

/** Products in PostgreSQL, with reads through this service's Redis tier. */
@ApplicationScoped
public class ProductStore {

    private static final Duration CACHE_TTL = Duration.ofMinutes(5);

    private final Mutiny.SessionFactory sessions;
    private final RedisTier cache;

    public ProductStore(Mutiny.SessionFactory sessions, RedisTier cache) {
        this.sessions = sessions;
        this.cache = cache;
    }

    /** Inserts the product; a taken sku is a 409 problem. */
    public Uni<Product> create(Product product) {
        return sessions.withTransaction(session -> session.persist(product).replaceWith(product))
                .onFailure(failure -> UniqueViolation.of(failure, Product.SKU_UNIQUE))
                .transform(failure -> ProblemException.conflict("A product with sku " + product.sku + " exists"));
    }

    /** The product's public view, or null when there is none. */
    public Uni<ProductView> find(long id) {
        return cache.getOrLoad("product:" + id, ProductView.class, CACHE_TTL,
                () -> sessions.withSession(session -> session.find(Product.class, id))
                        .onItem().ifNotNull().transform(ProductView::of));
    }

    /** Products of one category by id, after the cursor: one more than a page, to detect the next. */
    public Uni<List<Product>> listCategory(String category, PageRequest request) {
        return sessions.withSession(session -> session
                .createSelectionQuery("from Product where category = :category and id > :after order by id",
                        Product.class)
                .setParameter("category", category)
                .setParameter("after", request.after() == null ? Long.MIN_VALUE : request.after())
                .setMaxResults(request.fetchSize())
                .getResultList());
    }
}
