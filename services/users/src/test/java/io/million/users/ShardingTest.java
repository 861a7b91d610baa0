package io.million.users;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import io.million.sharding.Buckets;
import io.million.sharding.ShardMap;
import io.million.testing.Postgres;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;

/** Users on four real shard databases: placement, uniqueness under races, and one shard down. */
@QuarkusTest
class ShardingTest {

    final String readiness = io.million.testing.Management.url("/q/health/ready");

    /** Routes here need a token: these tests act as an operator (access rules: *AccessTest). */
    @org.junit.jupiter.api.BeforeEach
    void asOperator() {
        io.million.testing.Tokens.asOperator();
    }

    private static final int SHARDS = 4;
    private static final ShardMap MAP = ShardMap.even(SHARDS);

    @Test
    void aThousandUsersSpreadOverTheFourShardDatabases() {
        String run = UUID.randomUUID().toString();
        for (int i = 0; i < 1_000; i++) {
            UserResourceTest.create("spread." + i + "." + run + "@example.com", "Spread " + i);
        }
        int total = 0;
        int[] counts = new int[SHARDS];
        for (int shard = 0; shard < SHARDS; shard++) {
            counts[shard] = Integer.parseInt(Postgres.sql("users_test_" + shard,
                    "select count(*) from users where email like 'spread.%." + run + "@example.com'"));
            total += counts[shard];
        }
        assertEquals(1_000, total, "every user is on exactly one shard");
        for (int shard = 0; shard < SHARDS; shard++) {
            assertTrue(counts[shard] >= 200 && counts[shard] <= 300,
                    "shard " + shard + " holds " + counts[shard] + " of 1000");
        }
    }

    @Test
    void concurrentCreatesOfOneEmailLetExactlyOneWin() throws Exception {
        String email = "race." + UUID.randomUUID() + "@example.com";
        int racers = 16;
        ExecutorService pool = Executors.newFixedThreadPool(racers);
        try {
            List<Future<Integer>> statuses = new ArrayList<>();
            for (int i = 0; i < racers; i++) {
                String variant = i % 2 == 0 ? email : email.toUpperCase();
                statuses.add(pool.submit(() -> given().contentType(ContentType.JSON)
                        .body(Map.of("email", variant, "name", "Racer")).post("/v1/users").statusCode()));
            }
            int created = 0;
            int conflicts = 0;
            for (Future<Integer> status : statuses) {
                int code = status.get(30, TimeUnit.SECONDS);
                created += code == 201 ? 1 : 0;
                conflicts += code == 409 ? 1 : 0;
            }
            assertEquals(1, created, "exactly one create wins");
            assertEquals(racers - 1, conflicts, "every other one is a 409");
        } finally {
            pool.shutdownNow();
        }
        int shard = MAP.shardOf(Buckets.of(email));
        assertEquals("1", Postgres.sql("users_test_" + shard, "select count(*) from users where email = '" + email + "'"));
    }

    @Test
    void oneShardDownFailsOnlyItsKeysWith503() {
        // One user on the shard that goes down, one on another, neither read yet (nothing cached).
        String downEmail = emailOnShard(3);
        String upEmail = emailOnShard(0);
        String onDown = UserResourceTest.create(downEmail, "On the dead shard");
        String onUp = UserResourceTest.create(upEmail, "On a live shard");
        Postgres.stopDatabase("users_test_3");
        try {
            given().get("/v1/users/" + onDown).then().statusCode(503)
                    .contentType("application/problem+json").header("Retry-After", "2");
            given().contentType(ContentType.JSON).body(Map.of("email", emailOnShard(3), "name", "New"))
                    .post("/v1/users").then().statusCode(503).header("Retry-After", "2");
            given().get("/v1/users").then().statusCode(503);

            given().get("/v1/users/" + onUp).then().statusCode(200);
            given().contentType(ContentType.JSON).body(Map.of("email", emailOnShard(1), "name", "New"))
                    .post("/v1/users").then().statusCode(201);
            given().get(readiness).then().statusCode(200)
                    .body("checks.find { it.name == 'PostgreSQL shards' }.data.shard3",
                            org.hamcrest.Matchers.equalTo("DOWN"));
        } finally {
            Postgres.startDatabase("users_test_3");
        }
        given().get("/v1/users/" + onDown).then().statusCode(200);
    }

    @Test
    void aShardThatHangsAnswers503AtItsDeadlineThenItsBreakerOpensAndCloses() throws Exception {
        // A hang, not a refusal: an exclusive lock on shard 2's users table makes every read of it wait.
        String onHung = UserResourceTest.create(emailOnShard(2), "On the hung shard");
        String onLive = UserResourceTest.create(emailOnShard(1), "On a live shard");
        String holder = "hold-" + UUID.randomUUID();
        ExecutorService lock = Executors.newSingleThreadExecutor();
        Future<?> held = lock.submit(() -> {
            try {
                Postgres.sql("users_test_2", "begin; lock table users in access exclusive mode; select '" + holder
                        + "', pg_sleep(25); commit;");
            } catch (IllegalStateException ended) {
                // terminated below, as intended
            }
        });
        try {
            org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(10)).until(() -> !Postgres.sql(
                    "users_test_2", "select pid from pg_locks where relation = 'users'::regclass and mode = "
                            + "'AccessExclusiveLock' and granted").isEmpty());
            // Each call waits at most its deadline, then a 503: none hangs until the balancer gives up.
            var statuses = io.million.testing.Concurrently.statuses(SHARDS * 5,
                    () -> given().get("/v1/users/" + onHung).statusCode());
            assertEquals(Map.of(503, SHARDS * 5), statuses);
            // Those failures opened shard 2's breaker: it now fails fast, and says so in its gauge.
            given().get(io.million.testing.Management.url("/q/metrics")).then().statusCode(200)
                    .body(org.hamcrest.Matchers.containsString("million_shard_circuit_open{shard=\"2\"} 1.0"));
            given().get("/v1/users/" + onHung).then().statusCode(503).header("Retry-After", "2");
            given().get("/v1/users/" + onLive).then().statusCode(200);
        } finally {
            Postgres.sql("postgres", "select pg_terminate_backend(pid) from pg_stat_activity where query like '%"
                    + holder + "%' and pid <> pg_backend_pid()");
            held.get(30, TimeUnit.SECONDS);
            lock.shutdownNow();
        }
        // Once the shard answers again, the breaker's trial call closes it.
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(30)).pollInterval(java.time.Duration.ofMillis(500))
                .until(() -> given().get("/v1/users/" + onHung).statusCode() == 200);
    }

    /** An email whose bucket the default map gives to {@code shard}. */
    static String emailOnShard(int shard) {
        for (int attempt = 0; attempt < 10_000; attempt++) {
            String email = "shard" + shard + "." + UUID.randomUUID() + "@example.com";
            if (MAP.shardOf(Buckets.of(email)) == shard) {
                return email;
            }
        }
        throw new IllegalStateException("no email found for shard " + shard);
    }
}
