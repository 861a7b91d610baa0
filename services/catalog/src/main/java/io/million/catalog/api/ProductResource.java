package io.million.catalog.api;

import java.net.URI;
import java.time.Clock;

import jakarta.validation.Valid;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.EntityTag;
import jakarta.ws.rs.core.MediaType;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import org.jboss.resteasy.reactive.RestPath;
import org.jboss.resteasy.reactive.RestQuery;
import org.jboss.resteasy.reactive.RestResponse;

import io.million.catalog.domain.Product;
import io.million.catalog.events.CatalogEvents;
import io.million.catalog.store.ProductStore;
import io.million.web.paging.Page;
import io.million.web.paging.Paging;
import io.million.web.problem.ProblemException;
import io.smallrye.mutiny.Uni;

@Path("/v1/products")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "products")
public class ProductResource {

    private final ProductStore store;
    private final CatalogEvents events;
    private final Paging paging;
    private final Clock clock = Clock.systemUTC();

    public ProductResource(ProductStore store, CatalogEvents events, Paging paging) {
        this.store = store;
        this.events = events;
        this.paging = paging;
    }

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(summary = "Create a product", description = "201 with Location; 409 when the sku is taken")
    public Uni<RestResponse<ProductView>> create(@Valid @NotNull CreateProductRequest body) {
        Product product = Product.create(body.sku(), body.name(), body.description(), body.category(),
                body.priceCents(), body.currency(), body.stock(), clock.instant());
        return store.create(product)
                .invoke(events::created)
                .map(created -> RestResponse.ResponseBuilder
                        .<ProductView>created(URI.create("/v1/products/" + created.id))
                        .entity(ProductView.of(created))
                        .tag(new EntityTag(Long.toString(created.version)))
                        .build());
    }

    @GET
    @Path("{id}")
    @Operation(summary = "Get a product by id", description = "404 problem when there is none")
    public Uni<RestResponse<ProductView>> get(@RestPath long id) {
        return store.find(id)
                .onItem().ifNull().failWith(() -> ProblemException.notFound("No product " + id))
                .map(product -> RestResponse.ResponseBuilder.ok(product)
                        .tag(new EntityTag(Long.toString(product.version())))
                        .build());
    }

    @GET
    @Operation(summary = "List the products of a category", description = "Cursor-paged by id")
    public Uni<Page<ProductView>> list(@RestQuery @NotBlank String category, @RestQuery String limit,
            @RestQuery String cursor) {
        var request = paging.request(limit, cursor);
        return store.listCategory(category.strip(), request)
                .map(products -> request.page(products.stream().map(ProductView::of).toList(), ProductView::id));
    }
}
