package io.million.orders.api;

import java.net.URI;

import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.EntityTag;
import jakarta.ws.rs.core.MediaType;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.headers.Header;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.jboss.resteasy.reactive.RestHeader;
import org.jboss.resteasy.reactive.RestPath;
import org.jboss.resteasy.reactive.RestQuery;
import org.jboss.resteasy.reactive.RestResponse;

import io.million.orders.domain.OrderLine;
import io.million.orders.store.OrderStore;
import io.million.sharding.ShardIds;
import io.million.web.auth.Access;
import io.million.web.format.Format;
import io.million.web.openapi.ApiHeaders;
import io.million.web.paging.Page;
import io.million.web.paging.Paging;
import io.million.web.problem.ProblemException;
import io.smallrye.mutiny.Uni;

@Path("/v1/orders")
@Produces({ MediaType.APPLICATION_JSON, Format.CBOR_TYPE })
@Tag(name = "orders")
public class OrderResource {

    private final OrderStore store;
    private final Paging paging;
    private final Access access;

    public OrderResource(OrderStore store, Paging paging, Access access) {
        this.store = store;
        this.paging = paging;
        this.access = access;
    }

    /** Header that makes a POST safe to retry: one order per key and user. */
    public static final String IDEMPOTENCY_KEY = "Idempotency-Key";
    /** Set on the answer to a repeated POST: the order was placed by an earlier request. */
    public static final String REPLAYED = "Idempotent-Replayed";
    private static final int MAX_KEY_LENGTH = 255;

    @POST
    @Consumes({ MediaType.APPLICATION_JSON, Format.CBOR_TYPE })
    @Operation(operationId = "placeOrder", summary = "Place an order",
            description = "Writes the order (PENDING) and its order.placed event in one shard transaction and "
                    + "answers 202 Accepted with Location; the saga then makes it CONFIRMED or REJECTED. "
                    + "Idempotency-Key is required: the same key (per user, for 24 h) with the same body returns "
                    + "the same order (with Idempotent-Replayed: true), with another body a 422 problem.")
    @SecurityRequirement(name = Access.SCHEME)
    @APIResponse(responseCode = "202", description = "Accepted (or replayed): the order, PENDING or later",
            content = @Content(schema = @Schema(implementation = OrderView.class)),
            headers = { @Header(name = ApiHeaders.LOCATION, ref = ApiHeaders.LOCATION),
                    @Header(name = ApiHeaders.ETAG, ref = ApiHeaders.ETAG),
                    @Header(name = ApiHeaders.IDEMPOTENT_REPLAYED, ref = ApiHeaders.IDEMPOTENT_REPLAYED) })
    @APIResponse(responseCode = "400", description = "Bad Request: an invalid body, or a missing or too long "
            + "Idempotency-Key; errors[] names each")
    @APIResponse(responseCode = "422", description = "Unprocessable Content: the Idempotency-Key was used with another body")
    public Uni<RestResponse<OrderView>> place(
            @Parameter(description = "Client-chosen unique key for this order, at most 255 characters",
                    required = true) @RestHeader(IDEMPOTENCY_KEY) String idempotencyKey,
            @Valid @NotNull PlaceOrderRequest body) {
        if (idempotencyKey == null || idempotencyKey.isBlank()) {
            throw ProblemException.badInput(IDEMPOTENCY_KEY, "header is required: a unique key per order, so a "
                    + "retried request cannot place the order twice");
        }
        if (idempotencyKey.length() > MAX_KEY_LENGTH) {
            throw ProblemException.badInput(IDEMPOTENCY_KEY, "at most " + MAX_KEY_LENGTH + " characters");
        }
        var lines = body.items().stream().map(item -> new OrderLine(item.productId(), item.quantity())).toList();
        long userKey = userKey(body.userId());
        return access.selfOr(userKey).chain(() -> store.place(userKey, lines, idempotencyKey, body.fingerprint()))
                .map(placement -> {
                    OrderView order = OrderView.of(placement.order());
                    var response = RestResponse.ResponseBuilder.<OrderView>accepted()
                            .location(URI.create("/v1/orders/" + order.id()))
                            .entity(order)
                            .tag(new EntityTag(Long.toString(order.version())));
                    if (placement.replayed()) {
                        response.header(REPLAYED, "true");
                    }
                    return response.build();
                });
    }

    @GET
    @Path("{id}")
    @Operation(operationId = "getOrder", summary = "Get an order by id", description = "The ordering user or an operator (another user: 403). "
            + "404 problem when there is none")
    @SecurityRequirement(name = Access.SCHEME)
    @APIResponse(responseCode = "200", description = "The order",
            content = @Content(schema = @Schema(implementation = OrderView.class)),
            headers = @Header(name = ApiHeaders.ETAG, ref = ApiHeaders.ETAG))
    public Uni<RestResponse<OrderView>> get(@RestPath String id) {
        long key = ShardIds.requireId(id, "order");
        return access.caller().chain(caller -> store.find(key)
                .onItem().ifNull().failWith(() -> ProblemException.notFound("No order " + id))
                .invoke(order -> access.requireOwner(caller, Long.parseLong(order.userId()))))
                .map(order -> RestResponse.ResponseBuilder.ok(order)
                        .tag(new EntityTag(Long.toString(order.version())))
                        .build());
    }

    @GET
    @Operation(operationId = "listUserOrders", summary = "List a user's orders, newest first", description = "The user itself or an operator. "
            + "Cursor-paged")
    @SecurityRequirement(name = Access.SCHEME)
    @APIResponse(responseCode = "200", description = "One page of the user's orders")
    public Uni<Page<OrderView>> list(@RestQuery @NotNull String userId, @RestQuery String limit,
            @RestQuery String cursor) {
        var request = paging.request(limit, cursor);
        long userKey = userKey(userId);
        return access.selfOr(userKey).chain(() -> store.listUser(userKey, request))
                .map(orders -> request.page(orders.stream().map(OrderView::of).toList(), OrderView::key));
    }

    /** A user id as the users API renders it: a positive 64-bit number, usually as a string. */
    private static long userKey(String userId) {
        long key = ShardIds.parse(userId);
        if (key <= 0) {
            throw ProblemException.badInput("userId", "must be a user id");
        }
        return key;
    }
}
