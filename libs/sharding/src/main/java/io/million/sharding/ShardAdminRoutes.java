package io.million.sharding;

import java.util.Map;

import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;
import jakarta.validation.ConstraintViolationException;
import jakarta.validation.Validator;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.million.web.auth.OperatorGuard;
import io.million.web.problem.Problem;
import io.million.web.problem.ProblemMappers;
import io.quarkus.vertx.http.ManagementInterface;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;

/**
 * The operator API of the shard set, on the management interface only (never the public port):
 * {@code GET /admin/shards} (the live map) and {@code POST /admin/shards/moves}. Both need a bearer
 * token with the operator role ({@link OperatorGuard}); errors are problem+json.
 */
@Singleton
public class ShardAdminRoutes {

    static final String PATH = "/admin/shards";
    /** A move request is three small numbers. */
    private static final long MAX_BODY_BYTES = 4096;

    private final Shards shards;
    private final BucketMover mover;
    private final ObjectMapper json;
    private final Validator validator;
    private final ProblemMappers problems;
    private final OperatorGuard guard;

    public ShardAdminRoutes(Shards shards, BucketMover mover, ObjectMapper json, Validator validator,
            ProblemMappers problems, OperatorGuard guard) {
        this.shards = shards;
        this.mover = mover;
        this.json = json;
        this.validator = validator;
        this.problems = problems;
        this.guard = guard;
    }

    public record MapView(String map, long version, int shards) {
    }

    public record MoveRequest(@NotNull @Min(0) @Max(Buckets.COUNT - 1) Integer from,
            @NotNull @Min(0) @Max(Buckets.COUNT - 1) Integer to, @NotNull @Min(0) Integer target) {
    }

    void install(@Observes ManagementInterface management) {
        var router = management.router();
        router.route(PATH + "*").handler(guard.handler());
        router.get(PATH).handler(ctx -> send(ctx, 200,
                new MapView(shards.map().spec(), shards.mapVersion(), shards.count())));
        router.post(PATH + "/moves").handler(BodyHandler.create().setBodyLimit(MAX_BODY_BYTES))
                .handler(this::move);
    }

    private void move(RoutingContext ctx) {
        MoveRequest request;
        try {
            request = json.readValue(ctx.body().buffer().getBytes(), MoveRequest.class);
        } catch (Exception e) {
            problems.send(ctx, Problem.of(400, "Bad Request", "The body must be {\"from\", \"to\", \"target\"}"),
                    Map.of());
            return;
        }
        var violations = validator.validate(request);
        if (!violations.isEmpty()) {
            problems.send(ctx, ProblemMappers.fieldProblem(new ConstraintViolationException(violations)), Map.of());
            return;
        }
        io.smallrye.mutiny.Uni.createFrom().deferred(() -> mover.move(request.from(), request.to(), request.target()))
                .subscribe().with(
                result -> send(ctx, 200, result), failure -> problems.sendFailure(ctx, failure));
    }

    private void send(RoutingContext ctx, int status, Object body) {
        try {
            ctx.response().setStatusCode(status).putHeader("Content-Type", "application/json")
                    .putHeader("Cache-Control", "no-store").end(Buffer.buffer(json.writeValueAsBytes(body)));
        } catch (JsonProcessingException e) {
            problems.sendFailure(ctx, e);
        }
    }
}
