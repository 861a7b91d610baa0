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
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import org.jboss.resteasy.reactive.RestPath;
import org.jboss.resteasy.reactive.RestQuery;
import org.jboss.resteasy.reactive.RestResponse;

import io.million.orders.domain.OrderLine;
import io.million.orders.events.OrderEvents;
import io.million.orders.store.OrderStore;
import io.million.sharding.ShardIds;
import io.million.web.paging.Page;
import io.million.web.paging.Paging;
import io.million.web.problem.ProblemException;
import io.smallrye.mutiny.Uni;

@Path("/v1/orders")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "orders")
public class OrderResource {

    private final OrderStore store;
    private final OrderEvents events;
    private final Paging paging;

    public OrderResource(OrderStore store, OrderEvents events, Paging paging) {
        this.store = store;
        this.events = events;
        this.paging = paging;
    }

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(summary = "Place an order",
            description = "202 Accepted with Location: the order is PENDING until stock is reserved")
    public Uni<RestResponse<OrderView>> place(@Valid @NotNull PlaceOrderRequest body) {
        var lines = body.items().stream().map(item -> new OrderLine(item.productId(), item.quantity())).toList();
        return store.place(userKey(body.userId()), lines)
                .invoke(events::placed)
                .map(OrderView::of)
                .map(order -> RestResponse.ResponseBuilder.<OrderView>accepted()
                        .location(URI.create("/v1/orders/" + order.id()))
                        .entity(order)
                        .tag(new EntityTag(Long.toString(order.version())))
                        .build());
    }

    @GET
    @Path("{id}")
    @Operation(summary = "Get an order by id", description = "404 problem when there is none")
    public Uni<RestResponse<OrderView>> get(@RestPath String id) {
        long key = ShardIds.requireId(id, "order");
        return store.find(key)
                .onItem().ifNull().failWith(() -> ProblemException.notFound("No order " + id))
                .map(order -> RestResponse.ResponseBuilder.ok(order)
                        .tag(new EntityTag(Long.toString(order.version())))
                        .build());
    }

    @GET
    @Operation(summary = "List a user's orders, newest first", description = "Cursor-paged")
    public Uni<Page<OrderView>> list(@RestQuery @NotNull String userId, @RestQuery String limit,
            @RestQuery String cursor) {
        var request = paging.request(limit, cursor);
        return store.listUser(userKey(userId), request)
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
