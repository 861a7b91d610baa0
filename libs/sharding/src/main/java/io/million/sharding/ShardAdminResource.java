package io.million.sharding;

import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import io.smallrye.mutiny.Uni;

/**
 * Operator endpoints of the shard set. Not public: the entry point (HAProxy, Ingress) routes only
 * {@code /v1/*}; reach a replica directly (port-forward in Kubernetes).
 */
@Path("/admin/shards")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "admin")
public class ShardAdminResource {

    private final Shards shards;
    private final BucketMover mover;

    public ShardAdminResource(Shards shards, BucketMover mover) {
        this.shards = shards;
        this.mover = mover;
    }

    public record MapView(String map, long version, int shards) {
    }

    public record MoveRequest(@NotNull @Min(0) @Max(Buckets.COUNT - 1) Integer from,
            @NotNull @Min(0) @Max(Buckets.COUNT - 1) Integer to, @NotNull @Min(0) Integer target) {
    }

    @GET
    @Operation(summary = "The live shard map this replica routes with")
    public MapView map() {
        return new MapView(shards.map().spec(), shards.mapVersion(), shards.count());
    }

    @POST
    @Path("moves")
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(summary = "Move a bucket range to another shard while serving",
            description = "Copy, fence, catch up, switch the map, clean up; answers when done. 409 while another move runs")
    public Uni<BucketMover.Result> move(@Valid @NotNull MoveRequest body) {
        return mover.move(body.from(), body.to(), body.target());
    }
}
