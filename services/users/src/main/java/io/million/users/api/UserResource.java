package io.million.users.api;

import java.net.URI;
import java.time.Clock;

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

import io.million.users.domain.User;
import io.million.users.events.UserEvents;
import io.million.users.store.UserStore;
import io.million.web.paging.Page;
import io.million.web.paging.Paging;
import io.million.web.problem.ProblemException;
import io.smallrye.mutiny.Uni;

@Path("/v1/users")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "users")
public class UserResource {

    private final UserStore store;
    private final UserEvents events;
    private final Paging paging;
    private final Clock clock;

    public UserResource(UserStore store, UserEvents events, Paging paging) {
        this.store = store;
        this.events = events;
        this.paging = paging;
        this.clock = Clock.systemUTC();
    }

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(summary = "Create a user", description = "201 with Location; 409 when the email is taken")
    public Uni<RestResponse<UserView>> create(@Valid @NotNull CreateUserRequest body) {
        return store.create(User.create(body.email(), body.name(), clock.instant()))
                .invoke(events::created)
                .map(user -> RestResponse.ResponseBuilder
                        .<UserView>created(URI.create("/v1/users/" + user.id))
                        .entity(UserView.of(user))
                        .tag(new EntityTag(Long.toString(user.version)))
                        .build());
    }

    @GET
    @Path("{id}")
    @Operation(summary = "Get a user by id", description = "404 problem when there is none")
    public Uni<RestResponse<UserView>> get(@RestPath long id) {
        return store.find(id)
                .onItem().ifNull().failWith(() -> ProblemException.notFound("No user " + id))
                .map(user -> RestResponse.ResponseBuilder.ok(user)
                        .tag(new EntityTag(Long.toString(user.version())))
                        .build());
    }

    @GET
    @Operation(summary = "List users by id", description = "Cursor-paged: pass `next` back as `cursor`")
    public Uni<Page<UserView>> list(@RestQuery String limit, @RestQuery String cursor) {
        var request = paging.request(limit, cursor);
        return store.list(request).map(users -> request.page(users.stream().map(UserView::of).toList(),
                UserView::id));
    }
}
