package io.million.catalog.api;

import java.net.URI;
import java.time.Clock;

import jakarta.validation.Valid;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PATCH;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.EntityTag;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.headers.Header;
import org.eclipse.microprofile.openapi.annotations.media.SchemaProperty;
import org.eclipse.microprofile.openapi.annotations.parameters.RequestBody;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.jboss.resteasy.reactive.RestHeader;
import org.jboss.resteasy.reactive.RestPath;
import org.jboss.resteasy.reactive.RestQuery;
import org.jboss.resteasy.reactive.RestResponse;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.million.cache.Representation;
import io.million.cache.TieredCache;
import io.million.catalog.domain.Product;
import io.million.sharding.ShardIds;
import io.million.catalog.service.ProductService;
import io.million.catalog.service.SurrogateKeys;
import io.million.catalog.store.ProductStore;
import io.million.web.Preconditions;
import io.million.web.auth.Access;
import io.million.web.format.Format;
import io.million.web.openapi.ApiHeaders;
import io.million.web.fields.Fields;
import io.million.web.paging.Page;
import io.million.web.paging.Paging;
import io.million.web.problem.ProblemException;
import io.smallrye.mutiny.Uni;

@Path("/v1/products")
@Produces({ MediaType.APPLICATION_JSON, Format.CBOR_TYPE })
@Tag(name = "products")
public class ProductResource {

    static final String MERGE_PATCH = "application/merge-patch+json";
    static final String STOCK_CACHE_CONTROL = "public, max-age=1, s-maxage=1";
    /** The role that may create, change and delete products (operators may too). */
    static final String CATALOG_ADMIN = "catalog-admin";

    private final ProductStore store;
    private final Paging paging;
    private final TieredCache cache;
    private final ProductCache.Config cacheConfig;
    private final ObjectMapper json;
    private final jakarta.validation.Validator validator;
    private final Clock clock = Clock.systemUTC();
    private final Access access;
    private final ProductService products;
    private final String listingCacheControl;

    public ProductResource(ProductStore store, Paging paging, TieredCache cache,
            ProductCache.Config cacheConfig, ObjectMapper json, jakarta.validation.Validator validator,
            Access access, ProductService products) {
        this.access = access;
        this.products = products;
        this.listingCacheControl = cacheConfig.listingCacheControl();
        this.validator = validator;
        this.store = store;
        this.paging = paging;
        this.cache = cache;
        this.cacheConfig = cacheConfig;
        this.json = json;
    }

    @POST
    @Consumes({ MediaType.APPLICATION_JSON, Format.CBOR_TYPE })
    @Operation(operationId = "createProduct", summary = "Create a product", description = "Role catalog-admin or operator. 201 with Location; 409 "
            + "when the sku is taken")
    @SecurityRequirement(name = Access.SCHEME)
    @APIResponse(responseCode = "201", description = "Created",
            content = @Content(schema = @Schema(implementation = ProductView.class)),
            headers = { @Header(name = ApiHeaders.LOCATION, ref = ApiHeaders.LOCATION),
                    @Header(name = ApiHeaders.ETAG, ref = ApiHeaders.ETAG) })
    @APIResponse(responseCode = "409", description = "Conflict: the sku is taken")
    public Uni<RestResponse<ProductView>> create(@Valid @NotNull CreateProductRequest body) {
        return access.role(CATALOG_ADMIN).chain(() -> products.create(body.sku(), body.name(), body.description(),
                body.category(), body.priceCents(), body.currency(), body.stock()))
                .map(created -> RestResponse.ResponseBuilder
                        .<ProductView>created(URI.create("/v1/products/" + created.id))
                        .entity(ProductView.of(created))
                        .tag(new EntityTag(Long.toString(created.version)))
                        .build());
    }

    /**
     * The product, through L1 (in-process), L2 (Redis) and the database. Cache hits with no query
     * string are answered earlier by {@link ProductHotPath} without reaching this method.
     */
    @GET
    @Path("{id}")
    @Fields(ProductView.class)
    @Operation(operationId = "getProduct", summary = "Get a product by id",
            description = "Cacheable by CDNs: strong ETag, Last-Modified, Cache-Control, Surrogate-Key; "
                    + "If-None-Match answers 304; 404 problem when there is none")
    @APIResponse(responseCode = "200", description = "The product", content = @Content(
            schema = @Schema(implementation = ProductView.class)),
            headers = { @Header(name = ApiHeaders.ETAG, ref = ApiHeaders.ETAG),
                    @Header(name = ApiHeaders.LAST_MODIFIED, ref = ApiHeaders.LAST_MODIFIED),
                    @Header(name = ApiHeaders.CACHE_CONTROL, ref = ApiHeaders.CACHE_CONTROL) })
    public Uni<RestResponse<Object>> get(@RestPath String id, @RestHeader("If-None-Match") String ifNoneMatch,
            @Context HttpHeaders requestHeaders) {
        long productId = parseId(id);
        String key = Long.toString(productId);
        // Accept is already the one type negotiated (libs/web format/AcceptFilter).
        Format format = Format.negotiate(requestHeaders.getHeaderString(HttpHeaders.ACCEPT));
        return cache.get(key, () -> store.find(productId).map(this::represent)).map(found -> {
            if (found.isNotFound()) {
                throw ProblemException.notFound("No product " + id);
            }
            // The headers (ETag) are the JSON representation's: libs/web FieldSelection makes the
            // tag of the variant served (format, selection) and evaluates If-None-Match against it.
            boolean notModified = Preconditions.matches(ifNoneMatch, found.etag());
            // A tree of the cached JSON, written in the format asked for. With two formats the REST
            // layer picks its writer at run time, and no writer writes a byte[] as it is in both
            // (JSON's makes it a base64 string). Only misses and ?fields= reads come here: L1 hits
            // take the hot path, which keeps the bytes of each format.
            var response = notModified ? RestResponse.ResponseBuilder.<Object>notModified()
                    : RestResponse.ResponseBuilder.<Object>ok(tree(found.body()), format.mediaType());
            ProductHeaders.write(found, cacheConfig.cacheControl(),
                    (name, value) -> response.header(name.toString(), value.toString()));
            return response.build();
        });
    }

    @PATCH
    @Path("{id}")
    @Consumes({ MERGE_PATCH, Format.CBOR_TYPE })
    @Operation(operationId = "updateProduct", summary = "Change a product (JSON merge patch)",
            description = "Role catalog-admin or operator. name, description, category, priceCents, currency; stale "
                    + "If-Match is 412; sku is 422")
    @SecurityRequirement(name = Access.SCHEME)
    @RequestBody(required = true, content = @Content(schema = @Schema(name = "ProductPatch",
            type = SchemaType.OBJECT, description = "A JSON merge patch (RFC 7396) of a product: the fields to change, "
                    + "each by the rules of CreateProductRequest; null removes the description",
            properties = { @SchemaProperty(name = "name", type = SchemaType.STRING, maxLength = 200, pattern = "\\S"),
                    @SchemaProperty(name = "description", type = SchemaType.STRING, maxLength = 4000),
                    @SchemaProperty(name = "category", type = SchemaType.STRING, maxLength = 64, pattern = "\\S"),
                    @SchemaProperty(name = "priceCents", type = SchemaType.INTEGER, format = "int64", minimum = "0"),
                    @SchemaProperty(name = "currency", type = SchemaType.STRING, pattern = "[A-Z]{3}") })))
    @APIResponse(responseCode = "200", description = "The changed product",
            content = @Content(schema = @Schema(implementation = ProductView.class)),
            headers = @Header(name = ApiHeaders.ETAG, ref = ApiHeaders.ETAG))
    @APIResponse(responseCode = "422", description = "Unprocessable Content: the patch changes the sku")
    public Uni<RestResponse<ProductView>> patch(@RestPath String id, @RestHeader("If-Match") String ifMatch,
            JsonNode patch) {
        long productId = parseId(id);
        return access.role(CATALOG_ADMIN).chain(() -> {
            var change = ProductPatch.parse(patch, validator);
            return products.change(productId, ifMatch, product -> change.applyTo(product, clock.instant()));
        })
                .map(updated -> RestResponse.ResponseBuilder.ok(ProductView.of(updated))
                        .header("ETag", Preconditions.etag(updated.version)).build());
    }

    @DELETE
    @Path("{id}")
    @Operation(operationId = "deleteProduct", summary = "Delete a product", description = "Role catalog-admin or operator. 204; If-Match "
            + "honoured; caches everywhere dropped")
    @SecurityRequirement(name = Access.SCHEME)
    @APIResponse(responseCode = "204", description = "Deleted")
    public Uni<RestResponse<Void>> delete(@RestPath String id, @RestHeader("If-Match") String ifMatch) {
        long productId = parseId(id);
        return access.role(CATALOG_ADMIN).chain(() -> products.delete(productId, ifMatch))
                .map(ignored -> RestResponse.noContent());
    }

    /** Volatile data, apart from the product: at most a second in any cache. */
    @GET
    @Path("{id}/stock")
    @Operation(operationId = "getProductStock", summary = "A product's stock", description = "{productId, available, reserved}; Cache-Control max-age=1")
    @APIResponse(responseCode = "200", description = "The product's stock",
            content = @Content(schema = @Schema(implementation = StockView.class)),
            headers = @Header(name = ApiHeaders.CACHE_CONTROL, ref = ApiHeaders.CACHE_CONTROL))
    public Uni<RestResponse<StockView>> stock(@RestPath String id) {
        return store.stock(parseId(id))
                .onItem().ifNull().failWith(() -> ProblemException.notFound("No product " + id))
                .map(stock -> RestResponse.ResponseBuilder.ok(StockView.of(stock))
                        .header("Cache-Control", STOCK_CACHE_CONTROL).build());
    }

    private static long parseId(String id) {
        return ShardIds.requireId(id, "product");
    }

    private JsonNode tree(byte[] document) {
        try {
            return json.readTree(document);
        } catch (java.io.IOException e) {
            throw new IllegalStateException("a cached representation is valid JSON", e);
        }
    }

    private Representation represent(Product product) {
        if (product == null) {
            return Representation.NOT_FOUND;
        }
        try {
            return new Representation(json.writeValueAsBytes(ProductView.of(product)),
                    Preconditions.etag(product.version), product.updatedAt, SurrogateKeys.product(product.id) + " products");
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a product view is always serializable", e);
        }
    }

    @GET
    @Operation(operationId = "listProductsByCategory", summary = "List the products of a category", description = "Cursor-paged by id. Edge-cacheable "
            + "for a short while (million.catalog.listing-cache-control) under the surrogate key of the category, "
            + "purged when one of its products changes")
    @APIResponse(responseCode = "200", description = "One page of the category's products",
            headers = @Header(name = ApiHeaders.CACHE_CONTROL, ref = ApiHeaders.CACHE_CONTROL))
    public Uni<RestResponse<Page<ProductView>>> list(@RestQuery @NotBlank String category, @RestQuery String limit,
            @RestQuery String cursor) {
        var request = paging.request(limit, cursor);
        String name = category.strip();
        return store.listCategory(name, request)
                .map(products -> RestResponse.ResponseBuilder.ok(request.page(
                        products.items().stream().map(ProductView::of).toList(), ProductView::key,
                        products.resumeAfter()))
                        .header("Cache-Control", listingCacheControl)
                        .header("Surrogate-Key", SurrogateKeys.category(name))
                        .build());
    }
}
