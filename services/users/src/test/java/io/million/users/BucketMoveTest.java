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

import io.million.sharding.Buckets;
import io.million.sharding.ShardMap;
import io.million.testing.Postgres;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.Response;

/**
 * Moves buckets 0..255 from shard 0 to shard 1 and back while writers create and rename users in
 * that range, then checks every acknowledged write: each user exists exactly once, on the shard
 * the map names, with its last acknowledged name.
 */
@QuarkusTest
class BucketMoveTest {

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
    void movingARangeUnderWritesLosesAndDuplicatesNothing() throws Exception {
        assertEquals(EVEN, given().get(shardsAdmin).then().statusCode(200).extract().path("map"),
                "starts from the default map");
        for (int i = 0; i < 30; i++) {
            createInRange("before");
        }
        try {
            moveUnderLoad(1, "0-255:1,256-1023:0,1024-2047:1,2048-3071:2,3072-4095:3");
            verify(1, 0);
            moveUnderLoad(0, EVEN);
            verify(0, 1);
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

    @Test
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
