package io.million.users.api;

import java.net.URI;
import java.util.Iterator;
import java.util.Map;

import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PATCH;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.EntityTag;
import jakarta.ws.rs.core.MediaType;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.headers.Header;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.media.SchemaProperty;
import org.eclipse.microprofile.openapi.annotations.parameters.RequestBody;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.jboss.resteasy.reactive.RestHeader;
import org.jboss.resteasy.reactive.RestPath;
import org.jboss.resteasy.reactive.RestQuery;
import org.jboss.resteasy.reactive.RestResponse;

import com.fasterxml.jackson.databind.JsonNode;

import io.million.sharding.ShardIds;
import io.million.users.store.UserStore;
import io.million.web.Preconditions;
import io.million.web.auth.Access;
import io.million.web.format.Format;
import io.million.web.openapi.ApiHeaders;
import io.million.web.paging.Page;
import io.million.web.paging.Paging;
import io.million.web.problem.Problem;
import io.million.web.problem.ProblemException;
import io.million.web.problem.UnstorableText;
import io.smallrye.mutiny.Uni;

@Path("/v1/users")
@Produces({ MediaType.APPLICATION_JSON, Format.CBOR_TYPE })
@Tag(name = "users")
public class UserResource {

    static final String MERGE_PATCH = "application/merge-patch+json";
    /** User data is personal: browsers may keep it, shared caches and CDNs must not. */
    static final String CACHE_CONTROL = "private, no-cache";
    private static final int MAX_NAME = 100;

    private final UserStore store;
    private final Paging paging;
    private final Access access;

    public UserResource(UserStore store, Paging paging, Access access) {
        this.store = store;
        this.paging = paging;
        this.access = access;
    }

    @POST
    @Consumes({ MediaType.APPLICATION_JSON, Format.CBOR_TYPE })
    @Operation(operationId = "createUser", summary = "Create a user", description = "Anonymous (registration, rate limited per client address): "
            + "201 with Location and ETag; 409 when the email is taken")
    @APIResponse(responseCode = "201", description = "Created",
            content = @Content(schema = @Schema(implementation = UserView.class)),
            headers = { @Header(name = ApiHeaders.LOCATION, ref = ApiHeaders.LOCATION),
                    @Header(name = ApiHeaders.ETAG, ref = ApiHeaders.ETAG) })
    @APIResponse(responseCode = "409", description = "Conflict: the email is taken")
    public Uni<RestResponse<UserView>> create(@Valid @NotNull CreateUserRequest body) {
        return store.create(body.email(), body.name())
                .map(UserView::of)
                .map(user -> RestResponse.ResponseBuilder.<UserView>created(URI.create("/v1/users/" + user.id()))
                        .entity(user)
                        .tag(tag(user))
                        .header("Cache-Control", CACHE_CONTROL)
                        .build());
    }

    @GET
    @Path("{id}")
    @Operation(operationId = "getUser", summary = "Get a user", description = "The user itself or an operator. Strong ETag; If-None-Match "
            + "answers 304; 404 problem when absent")
    @SecurityRequirement(name = Access.SCHEME)
    @APIResponse(responseCode = "200", description = "The user",
            content = @Content(schema = @Schema(implementation = UserView.class)),
            headers = @Header(name = ApiHeaders.ETAG, ref = ApiHeaders.ETAG))
    public Uni<RestResponse<UserView>> get(@RestPath String id, @RestHeader("If-None-Match") String ifNoneMatch) {
        long userId = parseId(id);
        return access.selfOr(userId).chain(() -> store.find(userId))
                .onItem().ifNull().failWith(() -> ProblemException.notFound("No user " + id))
                .map(user -> {
            if (Preconditions.matches(ifNoneMatch, Preconditions.etag(user.version()))) {
                return RestResponse.ResponseBuilder.<UserView>notModified().tag(tag(user))
                        .header("Cache-Control", CACHE_CONTROL).build();
            }
            return RestResponse.ResponseBuilder.ok(user).tag(tag(user)).header("Cache-Control", CACHE_CONTROL)
                    .build();
        });
    }

    @PATCH
    @Path("{id}")
    @Consumes({ MERGE_PATCH, Format.CBOR_TYPE })
    @Operation(operationId = "updateUser", summary = "Change a user (JSON merge patch)",
            description = "The user itself or an operator. Only name can change (email: 422); If-Match with a stale ETag is 412")
    @SecurityRequirement(name = Access.SCHEME)
    @RequestBody(required = true, content = @Content(schema = @Schema(name = "UserPatch",
            type = SchemaType.OBJECT, description = "A JSON merge patch (RFC 7396) of a user: the fields to change",
            properties = @SchemaProperty(name = "name", type = SchemaType.STRING, maxLength = MAX_NAME, pattern = "\\S"))))
    @APIResponse(responseCode = "200", description = "The changed user",
            content = @Content(schema = @Schema(implementation = UserView.class)),
            headers = @Header(name = ApiHeaders.ETAG, ref = ApiHeaders.ETAG))
    @APIResponse(responseCode = "422", description = "Unprocessable Content: the patch changes the email")
    public Uni<RestResponse<UserView>> patch(@RestPath String id, @RestHeader("If-Match") String ifMatch,
            JsonNode patch) {
        long userId = parseId(id);
        return access.selfOr(userId).chain(() -> {
            String name = nameFrom(patch);
            return store.rename(userId, name, ifMatch);
        }).map(UserView::of)
                .map(user -> RestResponse.ResponseBuilder.ok(user).tag(tag(user))
                        .header("Cache-Control", CACHE_CONTROL).build());
    }

    @DELETE
    @Path("{id}")
    @Operation(operationId = "deleteUser", summary = "Delete a user", description = "The user itself or an operator. 204; the email becomes "
            + "free; If-Match honoured")
    @SecurityRequirement(name = Access.SCHEME)
    @APIResponse(responseCode = "204", description = "Deleted")
    public Uni<RestResponse<Void>> delete(@RestPath String id, @RestHeader("If-Match") String ifMatch) {
        long userId = parseId(id);
        return access.selfOr(userId).chain(() -> store.delete(userId, ifMatch)).map(ignored -> RestResponse.noContent());
    }

    @GET
    @Operation(operationId = "listUsers", summary = "List users by id across all shards", description = "Operators only. Cursor-paged: pass "
            + "`next` back as `cursor`")
    @SecurityRequirement(name = Access.SCHEME)
    @APIResponse(responseCode = "200", description = "One page of users")
    public Uni<Page<UserView>> list(@RestQuery String limit, @RestQuery String cursor) {
        var request = paging.request(limit, cursor);
        return access.role().chain(() -> store.list(request)).map(users -> request.page(users.items().stream().map(UserView::of).toList(),
                UserView::key, users.resumeAfter()));
    }

    private static EntityTag tag(UserView user) {
        return new EntityTag(Long.toString(user.version()));
    }

    private static long parseId(String id) {
        return ShardIds.requireId(id, "user");
    }

    /** Validates a merge patch: {@code name} may change; {@code email} cannot; nothing else exists. */
    private static String nameFrom(JsonNode patch) {
        if (patch == null || !patch.isObject()) {
            throw ProblemException.badInput("body", "must be a JSON object (merge patch)");
        }
        String name = null;
        for (Iterator<Map.Entry<String, JsonNode>> fields = patch.fields(); fields.hasNext();) {
            Map.Entry<String, JsonNode> field = fields.next();
            switch (field.getKey()) {
                case "name" -> {
                    JsonNode value = field.getValue();
                    if (!value.isTextual() || value.asText().isBlank()) {
                        throw ProblemException.badInput("name", "must be a non-blank string");
                    }
                    UnstorableText.check("name", value.asText());
                    if (value.asText().strip().length() > MAX_NAME) {
                        throw ProblemException.badInput("name", "must be at most " + MAX_NAME + " characters");
                    }
                    name = value.asText();
                }
                case "email" -> throw new ProblemException(new Problem("about:blank", "Unprocessable Content", 422,
                        "An email cannot be changed in place; create a new account", null,
                        java.util.List.of(new Problem.FieldError("email", "cannot be changed"))));
                default -> throw ProblemException.badInput(field.getKey(), "is not a property that can be patched");
            }
        }
        if (name == null) {
            throw ProblemException.badInput("body", "names nothing to change");
        }
        return name;
    }
}
