package io.million.users;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;

import io.million.sharding.BucketMover;
import io.million.sharding.Buckets;
import io.million.sharding.ShardMap;
import io.million.sharding.ShardMapStore;
import io.million.sharding.Shards;
import io.million.testing.Postgres;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.Response;

/**
 * Moves buckets 0..255 from shard 0 to shard 1 and back while writers create and rename users in
 * that range, then checks every acknowledged write: each user exists exactly once, on the shard
 * the map names, with its last acknowledged name, its email still taken, and the rows of every
 * bucketed table (a processed event id) moved with it. Then leaves a move as a crashed mover would
 * (before and after the map switch) and checks that the takeover finishes it, and that a move
 * planned over a stale map version is refused.
 */
@QuarkusTest
@org.junit.jupiter.api.TestMethodOrder(org.junit.jupiter.api.MethodOrderer.OrderAnnotation.class)
class BucketMoveTest {

    @jakarta.inject.Inject
    ShardMapStore maps;

    @jakarta.inject.Inject
    BucketMover mover;

    @jakarta.inject.Inject
    Shards shards;

    final String shardsAdmin = io.million.testing.Management.url("/admin/shards");

    final String shardMoves = io.million.testing.Management.url("/admin/shards/moves");

    /** Routes here need a token: these tests act as an operator (access rules: *AccessTest). */
    @org.junit.jupiter.api.BeforeEach
    void asOperator() {
        io.million.testing.Tokens.asOperator();
    }

    private static final int FROM = 0;
    private static final int TO = 255;
    private static final String EVEN = ShardMap.even(4).spec();
    /** Bounds on the writers, whatever happens to the move. */
    private static final int WRITERS = 4;
    private static final long WRITER_SECONDS = 90;
    private static final int RETRIES = 50;

    /** id -> last name a rename of it was acknowledged with (or its creation name). */
    private final Map<String, String> acknowledged = new ConcurrentHashMap<>();
    private final Map<String, String> emails = new ConcurrentHashMap<>();
    private final AtomicInteger retried503 = new AtomicInteger();

    @Test
    @org.junit.jupiter.api.Order(1)
    void movingARangeUnderWritesLosesAndDuplicatesNothing() throws Exception {
        assertEquals(EVEN, given().get(shardsAdmin).then().statusCode(200).extract().path("map"),
                "starts from the default map");
        for (int i = 0; i < 30; i++) {
            createInRange("before");
        }
        // A consumer's memory of an event, kept in the bucket of the entity it changed: it must travel.
        String event = UUID.randomUUID().toString();
        Postgres.sql("users_test_0", "insert into processed_events (consumer, event_id, bucket) values "
                + "('bucket-move-test', '" + event + "', " + (FROM + 7) + ")");
        try {
            moveUnderLoad(1, "0-255:1,256-1023:0,1024-2047:1,2048-3071:2,3072-4095:3");
            verify(1, 0);
            assertEquals("1", processed(1, event), "the processed event id moved with its bucket");
            assertEquals("0", processed(0, event), "and left the source");
            moveUnderLoad(0, EVEN);
            verify(0, 1);
            assertEquals("1", processed(0, event), "and moved back");
            assertEquals("0", processed(1, event));
        } finally {
            String map = given().get(shardsAdmin).then().extract().path("map");
            if (!EVEN.equals(map)) {
                given().contentType(ContentType.JSON).body(Map.of("from", FROM, "to", TO, "target", 0))
                        .post(shardMoves);
            }
        }
        assertTrue(acknowledged.size() > 30, "writers got writes through: " + acknowledged.size());
        System.out.printf("bucket moves: %d users acknowledged, %d writes retried after a 503 (fence)%n",
                acknowledged.size(), retried503.get());
    }

    private static String processed(int shard, String event) {
        return Postgres.sql("users_test_" + shard, "select count(*) from processed_events where event_id = '"
                + event + "'");
    }

    /** The state a mover leaves when it dies after the fence, before the switch: rolled back by a takeover. */
    @Test
    @org.junit.jupiter.api.Order(2)
    void aMoveWhoseMoverDiedBeforeTheSwitchIsRolledBack() {
        assertEquals(EVEN, shards.map().spec());
        String id = createdInRange();
        ShardMapStore.Move move = new ShardMapStore.Move(FROM, TO, 0, 1, shards.mapVersion(),
                ShardMapStore.Move.COPYING);
        crash(move, id);
        given().contentType("application/merge-patch+json").body(Map.of("name", "fenced")).patch("/v1/users/" + id)
                .then().statusCode(503); // the crashed move's fence holds the range
        leaseRanOut();

        takeOver();

        assertEquals(EVEN, shards.map().spec(), "the map did not change");
        assertEquals("f", Postgres.sql("users_test_0", "select moving from million_shard_map"), "the slot is free");
        assertEquals("0", Postgres.sql("users_test_1", "select count(*) from users where bucket between "
                + FROM + " and " + TO), "the target's copy is gone");
        given().contentType("application/merge-patch+json").body(Map.of("name", "writable again"))
                .patch("/v1/users/" + id).then().statusCode(200); // the fence is lifted
        assertTrue(!mover.recoverStale().await().atMost(java.time.Duration.ofSeconds(30)), "nothing left to take over");
    }

    /** The state a mover leaves when it dies after the switch, before the clean-up: finished by a takeover. */
    @Test
    @org.junit.jupiter.api.Order(3)
    void aMoveWhoseMoverDiedAfterTheSwitchIsFinished() {
        String id = createdInRange();
        ShardMapStore.Move move = new ShardMapStore.Move(FROM, TO, 0, 1, shards.mapVersion(),
                ShardMapStore.Move.COPYING);
        String moved = "0-255:1,256-1023:0,1024-2047:1,2048-3071:2,3072-4095:3";
        try {
            crash(move, id);
            long switched = maps.switchTo(move, ShardMap.parse(moved, 4)).await().atMost(java.time.Duration.ofSeconds(10));
            assertEquals(move.version() + 1, switched);
            leaseRanOut();

            takeOver();

            assertEquals("f", Postgres.sql("users_test_0", "select moving from million_shard_map"), "the slot is free");
            assertEquals("0", Postgres.sql("users_test_0", "select count(*) from users where bucket between "
                    + FROM + " and " + TO), "the source is cleaned up");
            org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(10))
                    .until(() -> moved.equals(shards.map().spec()));
            given().get("/v1/users/" + id).then().statusCode(200); // served by the target
            given().contentType("application/merge-patch+json").body(Map.of("name", "on the target"))
                    .patch("/v1/users/" + id).then().statusCode(200);
        } finally {
            given().contentType(ContentType.JSON).body(Map.of("from", FROM, "to", TO, "target", 0)).post(shardMoves)
                    .then().statusCode(200); // back to the default map: the slot is usable again
        }
        given().get("/v1/users/" + id).then().statusCode(200).body("name", org.hamcrest.Matchers.equalTo("on the target"));
    }

    /** A replica whose map is older than the stored one cannot claim a move, nor switch over a newer map. */
    @Test
    @org.junit.jupiter.api.Order(4)
    void aMovePlannedOverAStaleMapIsRefused() {
        long version = shards.mapVersion();
        ShardMapStore.Move stale = new ShardMapStore.Move(FROM, TO, 0, 1, version - 1, ShardMapStore.Move.COPYING);
        var refused = org.junit.jupiter.api.Assertions.assertThrows(io.million.web.problem.ProblemException.class,
                () -> maps.claim(stale).await().atMost(java.time.Duration.ofSeconds(10)));
        assertTrue(refused.getMessage() == null || !refused.getMessage().contains("already running"),
                "refused for the version: " + refused.getMessage());
        assertEquals("f", Postgres.sql("users_test_0", "select moving from million_shard_map"), "nothing claimed");
        org.junit.jupiter.api.Assertions.assertThrows(io.million.web.problem.ProblemException.class,
                () -> maps.switchTo(stale, ShardMap.parse("0-4095:1", 4)).await().atMost(java.time.Duration.ofSeconds(10)));
        assertEquals(Long.toString(version), Postgres.sql("users_test_0", "select version from million_shard_map"),
                "the stored map is untouched");
        assertEquals(EVEN, Postgres.sql("users_test_0", "select spec from million_shard_map"));
    }

    /**
     * Leaves {@code move} as its mover would have if it died right after fencing: the slot claimed,
     * the source fenced, the user's rows copied to the target. {@link #leaseRanOut} then makes it stale.
     */
    private void crash(ShardMapStore.Move move, String id) {
        assertTrue(Integer.parseInt(Postgres.sql("users_test_0", "select count(*) from pg_trigger "
                + "where tgname = 'million_fence'")) > 0, "an earlier move installed the fence triggers");
        maps.claim(move).await().atMost(java.time.Duration.ofSeconds(10));
        String user = Postgres.sql("users_test_0", "select format('(%s, %L, %L, %L, %L, %s)', id, email, name, "
                + "created_at, updated_at, version) from users where id = " + id);
        // Past the target's fence (left by the move back to shard 0), as the mover's copy does.
        Postgres.sql("users_test_1", "set million.mover = 'on'; insert into users (id, email, name, created_at, "
                + "updated_at, version) values " + user);
        Postgres.sql("users_test_0", "insert into million_fenced_buckets (lo, hi) values (" + move.from() + ", "
                + move.to() + ")");
    }

    private static void leaseRanOut() {
        Postgres.sql("users_test_0", "update million_shard_map set move_beat = now() - interval '1 hour'");
    }

    /**
     * Takes the stale move over, as every replica does on its own every half lease: whichever
     * attempt wins (this one or the replica's timer), the slot ends free.
     */
    private void takeOver() {
        mover.recoverStale().await().atMost(java.time.Duration.ofSeconds(30));
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(30))
                .until(() -> "f".equals(Postgres.sql("users_test_0", "select moving from million_shard_map")));
    }

    private String createdInRange() {
        Response created = given().contentType(ContentType.JSON).body(Map.of("email", emailInRange(), "name", "crash"))
                .post("/v1/users");
        assertEquals(201, created.statusCode(), created.asString());
        return created.path("id");
    }

    @Test
    @org.junit.jupiter.api.Order(5)
    void badMovesAreRefusedWithProblems() {
        given().contentType(ContentType.JSON).body(Map.of("from", 0, "to", 255, "target", 0))
                .post(shardMoves).then().statusCode(400).body("errors[0].field", org.hamcrest.Matchers.equalTo("target"));
        given().contentType(ContentType.JSON).body(Map.of("from", 1000, "to", 1100, "target", 2))
                .post(shardMoves).then().statusCode(400).body("errors[0].field", org.hamcrest.Matchers.equalTo("to"));
        given().contentType(ContentType.JSON).body(Map.of("from", 0, "to", 5000, "target", 1))
                .post(shardMoves).then().statusCode(400);
    }

    private void moveUnderLoad(int target, String expectedMap) throws Exception {
        AtomicBoolean stop = new AtomicBoolean();
        ExecutorService pool = Executors.newFixedThreadPool(WRITERS);
        List<Future<?>> writers = new ArrayList<>();
        try {
            for (int w = 0; w < WRITERS; w++) {
                writers.add(pool.submit(() -> write(stop)));
            }
            Thread.sleep(500);
            Response move = given().contentType(ContentType.JSON)
                    .body(Map.of("from", FROM, "to", TO, "target", target)).post(shardMoves);
            assertEquals(200, move.statusCode(), move.asString());
            assertEquals(expectedMap, move.path("map"));
            Thread.sleep(1_000); // writes after the switch land on the new shard
        } finally {
            stop.set(true);
            for (Future<?> writer : writers) {
                writer.get(WRITER_SECONDS + 30, TimeUnit.SECONDS);
            }
            pool.shutdownNow();
        }
    }

    /** Creates users in the range and renames existing ones until told to stop (bounded in time). */
    private void write(AtomicBoolean stop) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WRITER_SECONDS);
        int n = 0;
        while (!stop.get() && System.nanoTime() < deadline) {
            if (n++ % 2 == 0 || acknowledged.isEmpty()) {
                createInRange("during");
            } else {
                List<String> ids = new ArrayList<>(acknowledged.keySet());
                rename(ids.get(n % ids.size()), "renamed " + n + " " + UUID.randomUUID());
            }
        }
    }

    private void createInRange(String label) {
        String email = emailInRange();
        for (int attempt = 0; attempt < RETRIES; attempt++) {
            Response response = given().contentType(ContentType.JSON).body(Map.of("email", email, "name", label))
                    .post("/v1/users");
            if (response.statusCode() == 201) {
                String id = response.path("id");
                emails.put(id, email);
                acknowledged.put(id, label);
                return;
            }
            if (response.statusCode() == 409) {
                return; // an earlier attempt committed although its answer was lost: not acknowledged
            }
            assertEquals(503, response.statusCode(), response.asString());
            retried503.incrementAndGet();
            pause();
        }
    }

    private void rename(String id, String name) {
        for (int attempt = 0; attempt < RETRIES; attempt++) {
            // Renames of one id from several writers race; the lock keeps "last acknowledged" exact.
            synchronized (acknowledged) {
                Response response = given().contentType("application/merge-patch+json")
                        .body(Map.of("name", name)).patch("/v1/users/" + id);
                if (response.statusCode() == 200) {
                    acknowledged.put(id, name);
                    return;
                }
                assertEquals(503, response.statusCode(), response.asString());
                retried503.incrementAndGet();
            }
            pause();
        }
    }

    private void verify(int owner, int other) {
        for (Map.Entry<String, String> user : acknowledged.entrySet()) {
            String id = user.getKey();
            given().get("/v1/users/" + id).then().statusCode(200)
                    .body("name", org.hamcrest.Matchers.equalTo(user.getValue()))
                    .body("email", org.hamcrest.Matchers.equalTo(emails.get(id)));
        }
        String ids = String.join(",", acknowledged.keySet());
        assertEquals(Integer.toString(acknowledged.size()),
                Postgres.sql("users_test_" + owner, "select count(*) from users where id in (" + ids + ")"),
                "every acknowledged user is on shard " + owner);
        assertEquals("0", Postgres.sql("users_test_" + other,
                "select count(*) from users where bucket between " + FROM + " and " + TO), "source cleaned up");
        for (int shard = 0; shard < 4; shard++) {
            if (shard != owner) {
                assertEquals("0", Postgres.sql("users_test_" + shard,
                        "select count(*) from users where id in (" + ids + ")"), "no copy left on shard " + shard);
            }
        }
        String anyId = acknowledged.keySet().iterator().next();
        given().contentType(ContentType.JSON).body(Map.of("email", emails.get(anyId), "name", "again"))
                .post("/v1/users").then().statusCode(409); // the email is still taken: its row moved
        List<Long> listed = io.million.testing.PageWalker.ids("/v1/users", Map.of(), 100);
        assertEquals(listed.stream().distinct().count(), listed.size(), "listing has no duplicates");
        assertTrue(listed.containsAll(acknowledged.keySet().stream().map(Long::valueOf).toList()));
    }

    private static String emailInRange() {
        while (true) {
            String email = "move." + UUID.randomUUID() + "@example.com";
            int bucket = Buckets.of(email);
            if (bucket >= FROM && bucket <= TO) {
                return email;
            }
        }
    }

    private static void pause() {
        try {
            Thread.sleep(50);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
