package io.million.web.testapp;

import java.net.ConnectException;
import java.net.URI;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.LongStream;

import jakarta.validation.Valid;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

import org.jboss.resteasy.reactive.RestPath;
import org.jboss.resteasy.reactive.RestQuery;
import org.jboss.resteasy.reactive.RestResponse;

import io.million.web.paging.Page;
import io.million.web.paging.Paging;
import io.million.web.problem.ProblemException;
import io.smallrye.mutiny.Uni;

/** A resource that exists only to exercise libs/web through real HTTP. */
@Path("/widgets")
@Produces({ MediaType.APPLICATION_JSON, io.million.web.format.Format.CBOR_TYPE })
public class WidgetResource {

    public static final int COUNT = 250;
    public static final AtomicInteger CREATES = new AtomicInteger();
    static final List<Widget> ALL = LongStream.rangeClosed(1, COUNT)
            .mapToObj(id -> new Widget(id, "widget-" + id, "small")).toList();

    public record Widget(long id, String name, String description) {
    }

    public record NewWidget(@NotBlank String name, @Min(1) int size, List<@Valid Part> parts) {
    }

    public record Part(@NotBlank String sku) {
    }

    private final Paging paging;

    public WidgetResource(Paging paging) {
        this.paging = paging;
    }

    @GET
    @Path("{id}")
    public Widget get(@RestPath long id) {
        if (id < 1 || id > COUNT) {
            throw ProblemException.notFound("No widget " + id);
        }
        return ALL.get((int) id - 1);
    }

    /** A widget with its version's strong ETag, answering If-None-Match itself, as the services do. */
    @GET
    @Path("{id}/tagged")
    public RestResponse<Widget> tagged(@RestPath long id, @org.jboss.resteasy.reactive.RestHeader("If-None-Match") String ifNoneMatch) {
        Widget widget = get(id);
        String etag = io.million.web.Preconditions.etag(id);
        if (io.million.web.Preconditions.matches(ifNoneMatch, etag)) {
            return RestResponse.ResponseBuilder.<Widget>notModified().header("ETag", etag).build();
        }
        return RestResponse.ResponseBuilder.ok(widget).header("ETag", etag).build();
    }

    @GET
    public Page<Widget> list(@RestQuery String limit, @RestQuery String cursor) {
        var request = paging.request(limit, cursor);
        long after = request.after() == null ? 0 : request.after();
        return request.page(ALL.stream().filter(w -> w.id() > after).limit(request.fetchSize()).toList(),
                Widget::id);
    }

    @POST
    @Consumes({ MediaType.APPLICATION_JSON, io.million.web.format.Format.CBOR_TYPE })
    public RestResponse<Widget> create(@Valid @NotNull NewWidget body) {
        CREATES.incrementAndGet();
        return RestResponse.ResponseBuilder.<Widget>created(URI.create("/widgets/1"))
                .entity(new Widget(COUNT + 1, body.name(), "created")).build();
    }

    @GET
    @Path("big")
    public Widget big() {
        return new Widget(0, "big", "lorem ipsum dolor sit amet ".repeat(200));
    }

    @GET
    @Path("boom")
    public Widget boom() {
        throw new IllegalStateException("secret-internal-detail");
    }

    /** Holds its request for 3 s: what a slow dependency does to in-flight requests. */
    @GET
    @Path("slow/{id}")
    public Uni<Widget> slow(@RestPath long id) {
        return Uni.createFrom().item(ALL.get(0)).onItem().delayIt().by(java.time.Duration.ofSeconds(3));
    }

    /** Holds its request until a test completes {@link #gate}: a slot taken for as long as the test wants. */
    @GET
    @Path("held/{id}")
    public Uni<Widget> held(@RestPath long id) {
        return Uni.createFrom().completionStage(gate).replaceWith(ALL.get(0));
    }

    /** A write that holds its request like {@link #held}: load shedding counts writes apart from reads. */
    @POST
    @Path("held")
    @Consumes(MediaType.APPLICATION_JSON)
    public Uni<Widget> heldWrite(NewWidget body) {
        return Uni.createFrom().completionStage(gate).replaceWith(new Widget(0, body.name(), "held"));
    }

    /** What {@link #held} and {@link #heldWrite} wait for; a test puts a new one in place before holding requests. */
    public static volatile java.util.concurrent.CompletableFuture<Void> gate = new java.util.concurrent.CompletableFuture<>();

    @GET
    @Path("race")
    public Uni<Widget> race() {
        // What Hibernate answers when a row's version moved between read and write.
        return Uni.createFrom().failure(new jakarta.persistence.OptimisticLockException("Row was updated",
                new org.hibernate.StaleObjectStateException("Widget", 1L)));
    }

    @GET
    @Path("down")
    public Uni<Widget> down() {
        return Uni.createFrom().failure(new ConnectException("Connection refused: 127.0.0.1/127.0.0.1:5432"));
    }
}
