package io.million.catalog;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.BooleanSupplier;

import jakarta.inject.Inject;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

import io.micrometer.core.instrument.MeterRegistry;
import io.million.sharding.Shards;
import io.million.testing.LocalStack;
import io.million.testing.PageWalker;
import io.million.testing.Postgres;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;

/**
 * The catalog's category listings read the stack's real streaming replica (a hot standby of the
 * PostgreSQL server, stack/million): they do while it keeps up, they fall back to the primary
 * while its replay is paused (lag beyond million.sharding.replica-max-lag) or while it is
 * stopped, and go back when it recovers; a listing right after a create always shows it.
 */
@QuarkusTest
@WithTestResource(value = LocalStack.class, scope = TestResourceScope.GLOBAL, initArgs = {
        @ResourceArg(name = "redis-port-variable", value = "MILLION_CATALOG_REDIS_PORT"),
        @ResourceArg(name = "redis-port-default", value = "6382") })
class ReplicaReadTest {

    private static final Duration WAIT = Duration.ofSeconds(30);

    @Inject
    Shards shards;

    @Inject
    MeterRegistry registry;

    @org.junit.jupiter.api.BeforeEach
    void asOperator() {
        io.million.testing.Tokens.asOperator();
    }

    @Test
    void listingsReadTheReplicaWhileItKeepsUpAndThePrimaryWhileItLagsOrIsDown() {
        awaitAll(true, "every shard's replica serves");
        String category = "replica-" + UUID.randomUUID();
        long first = ProductResourceTest.create(ProductResourceTest.product(ProductResourceTest.newSku(), category));
        assertTrue(listing(category).contains(first), "read-your-writes: the listing right after the create has it");

        double before = reads("replica");
        Awaitility.await().atMost(WAIT).until(() -> {
            List<Long> listed = listing(category);
            return reads("replica") > before && listed.contains(first);
        });

        try {
            Postgres.onReplica("postgres", "select pg_wal_replay_pause()");
            long second = ProductResourceTest.create(ProductResourceTest.product(ProductResourceTest.newSku(), category));
            assertTrue(listing(category).contains(second), "read-your-writes while the replica lags");
            awaitAll(false, "a paused replica stops serving");
            int shard = shards.shardOfId(second);
            double lag = registry.get("million.shard.replica.lag").tag("shard", Integer.toString(shard)).gauge().value();
            assertTrue(lag >= 2, "the lag metric shows it (beyond the bound, to the millisecond): " + lag);
            double onPrimary = reads("primary");
            assertEquals(List.of(first, second).stream().sorted().toList(), listing(category));
            assertTrue(reads("primary") > onPrimary, "served by the primaries");
        } finally {
            Postgres.onReplica("postgres", "select pg_wal_replay_resume()");
        }
        awaitAll(true, "a replica that caught up serves again");

        try {
            LocalStack.run("pg-replica", "stop");
            long third = ProductResourceTest.create(ProductResourceTest.product(ProductResourceTest.newSku(), category));
            // Every listing answers, complete, whether the replica's failure is known yet or not.
            for (int i = 0; i < 5; i++) {
                assertEquals(3, listing(category).size());
            }
            awaitAll(false, "a stopped replica stops serving");
            double lag = registry.get("million.shard.replica.lag").tag("shard", Integer.toString(shards.shardOfId(third)))
                    .gauge().value();
            assertTrue(Double.isNaN(lag), "an unreachable replica has no lag: " + lag);
        } finally {
            LocalStack.run("pg-replica", "start");
        }
        awaitAll(true, "a restarted replica serves again");
        assertEquals(3, listing(category).size());
    }

    private List<Long> listing(String category) {
        return PageWalker.ids("/v1/products", Map.of("category", category), 10);
    }

    private double reads(String served) {
        return registry.find("million.shard.reads").tag("served", served).counters().stream()
                .mapToDouble(counter -> counter.count()).sum();
    }

    private void awaitAll(boolean serving, String what) {
        BooleanSupplier all = () -> {
            for (int shard = 0; shard < shards.count(); shard++) {
                if (shards.isReplicaServing(shard) != serving) {
                    return false;
                }
            }
            return true;
        };
        Awaitility.await(what).atMost(WAIT).pollInterval(Duration.ofMillis(100)).until(all::getAsBoolean);
    }
}
