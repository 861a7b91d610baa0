package io.million.catalog.store;

import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;

import org.hibernate.reactive.mutiny.Mutiny;

import io.million.catalog.domain.Product;
import io.million.catalog.domain.ProductStock;
import io.million.web.Preconditions;
import io.million.web.paging.PageRequest;
import io.million.web.problem.ProblemException;
import io.million.web.problem.UniqueViolation;
import io.smallrye.mutiny.Uni;

/** Products in PostgreSQL. Reads are cached as ready-to-send representations by the API layer. */
@ApplicationScoped
public class ProductStore {

    private final Mutiny.SessionFactory sessions;

    public ProductStore(Mutiny.SessionFactory sessions) {
        this.sessions = sessions;
    }

    /** Inserts the product and its stock together; a taken sku is a 409 problem. */
    public Uni<Product> create(Product product, int stock) {
        return sessions.withTransaction(session -> session.persist(product)
                .chain(session::flush)
                .chain(() -> session.persist(new ProductStock(product.id, stock)))
                .replaceWith(product))
                .onFailure(failure -> UniqueViolation.of(failure, Product.SKU_UNIQUE))
                .transform(failure -> ProblemException.conflict("A product with sku " + product.sku + " exists"));
    }

    /** The product, or null when there is none (callers cache its representation). */
    public Uni<Product> find(long id) {
        return sessions.withSession(session -> session.find(Product.class, id));
    }

    /** Applies {@code change} to the product; {@code ifMatch} (may be null) must name its version. */
    public Uni<Product> update(long id, String ifMatch, java.util.function.Consumer<Product> change) {
        return sessions.withTransaction(session -> session.find(Product.class, id)
                .onItem().ifNull().failWith(() -> ProblemException.notFound("No product " + id))
                .invoke(product -> Preconditions.checkIfMatch(ifMatch, product.version))
                .invoke(change)
                .call(session::flush));
    }

    /** Deletes the product and its stock; {@code ifMatch} (may be null) must name its version. */
    public Uni<Void> delete(long id, String ifMatch) {
        return sessions.withTransaction(session -> session.find(Product.class, id)
                .onItem().ifNull().failWith(() -> ProblemException.notFound("No product " + id))
                .invoke(product -> Preconditions.checkIfMatch(ifMatch, product.version))
                .call(product -> session.find(ProductStock.class, id).onItem().ifNotNull().call(session::remove))
                .call(session::remove)
                .replaceWithVoid());
    }

    public Uni<ProductStock> stock(long id) {
        return sessions.withSession(session -> session.find(ProductStock.class, id));
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
