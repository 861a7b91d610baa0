package io.million.orders;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.endsWith;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.nullValue;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import io.million.sharding.Buckets;
import io.million.sharding.ShardIds;
import io.million.sharding.ShardMap;
import io.million.testing.KafkaProbe;
import io.million.testing.LocalStack;
import io.million.testing.PageWalker;
import io.million.testing.Postgres;
import io.quarkus.redis.datasource.RedisDataSource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;

@QuarkusTest
@WithTestResource(value = LocalStack.class, scope = TestResourceScope.GLOBAL, initArgs = {
        @ResourceArg(name = "redis-port-variable", value = "MILLION_ORDERS_REDIS_PORT"),
        @ResourceArg(name = "redis-port-default", value = "6383") })
class OrderResourceTest {

    /** Routes here need a token: these tests act as an operator (access rules: *AccessTest). */
    @org.junit.jupiter.api.BeforeEach
    void asOperator() {
        io.million.testing.Tokens.asOperator();
    }

    @Inject
    RedisDataSource redis;

    /** A user id no other test run uses, so listings and events are this test's own. */
    static long newUserId() {
        return ThreadLocalRandom.current().nextLong(1_000_000_000L, Long.MAX_VALUE / 2);
    }

    static Map<String, Object> order(long userId, long productId, int quantity) {
        return Map.of("userId", Long.toString(userId), "items",
                List.of(Map.of("productId", productId, "quantity", quantity)));
    }

    /** A POST with a fresh Idempotency-Key. */
    static io.restassured.specification.RequestSpecification post(Object body) {
        return given().contentType(ContentType.JSON).header("Idempotency-Key", UUID.randomUUID().toString())
                .body(body);
    }

    static long place(Map<String, Object> body) {
        return Long.parseLong(post(body).post("/v1/orders").then()
                .statusCode(202).extract().jsonPath().getString("id"));
    }

    @Test
    void placeIsAcceptedPendingThenReadableAndPublished() {
        long userId = newUserId();
        var response = post(order(userId, 7, 2)).post("/v1/orders").then()
                .statusCode(202)
                .body("status", equalTo("PENDING"))
                .body("items[0].productId", equalTo("7"))
                .body("items[0].quantity", equalTo(2))
                .extract();
        String id = response.jsonPath().getString("id");
        org.hamcrest.MatcherAssert.assertThat(response.header("Location"), endsWith("/v1/orders/" + id));

        given().get("/v1/orders/" + id).then().statusCode(200)
                .body("id", equalTo(id))
                .body("userId", equalTo(Long.toString(userId)))
                .body("status", equalTo("PENDING"));
        assertTrue(redis.key().exists("orders:order:" + id), "the read went through the Redis tier");

        var event = KafkaProbe.awaitRecord("test.orders.events", id, Long.toString(userId),
                Duration.ofSeconds(30)).orElseThrow(() -> new AssertionError("no orders.events record keyed " + id));
        assertEquals("order.placed", KafkaProbe.header(event, "event-type"), "published through the outbox");
        assertTrue(event.value().contains("\"orderId\":\"" + id + "\""), event.value());
    }

    @Test
    void theSameIdempotencyKeyAndBodyGiveTheSameOrderOnce() {
        long userId = newUserId();
        String key = UUID.randomUUID().toString();
        String first = given().contentType(ContentType.JSON).header("Idempotency-Key", key)
                .body(order(userId, 7, 2)).post("/v1/orders").then().statusCode(202)
                .header("Idempotent-Replayed", nullValue())
                .extract().jsonPath().getString("id");
        // The same request again, with the JSON written differently: the same order, not a new one.
        given().contentType(ContentType.JSON).header("Idempotency-Key", key)
                .body("{ \"items\": [ {\"quantity\": 2, \"productId\": \"7\"} ], \"userId\": \"" + userId + "\" }")
                .post("/v1/orders").then().statusCode(202)
                .header("Idempotent-Replayed", equalTo("true"))
                .header("Location", endsWith("/v1/orders/" + first))
                .body("id", equalTo(first));
        int shard = ShardMap.even(4).shardOf(Buckets.of(userId));
        assertEquals("1", Postgres.sql("orders_test_" + shard, "select count(*) from orders where user_id = " + userId));
        KafkaProbe.awaitRecord("test.orders.events", first, first, Duration.ofSeconds(30)).orElseThrow();
        assertEquals(1, KafkaProbe.count("test.orders.events", first, Duration.ofSeconds(30)),
                "one order.placed event, not two");

        // Another body under the same key is refused, and places nothing.
        given().contentType(ContentType.JSON).header("Idempotency-Key", key).body(order(userId, 7, 3))
                .post("/v1/orders").then().statusCode(422)
                .contentType(startsWith("application/problem+json"))
                .body("detail", containsString("Idempotency-Key"));
        assertEquals("1", Postgres.sql("orders_test_" + shard, "select count(*) from orders where user_id = " + userId));

        // The key is the user's: another user may use it.
        given().contentType(ContentType.JSON).header("Idempotency-Key", key).body(order(userId + 1, 7, 2))
                .post("/v1/orders").then().statusCode(202).body("id", not(equalTo(first)));
    }

    @Test
    void anIdempotencyKeyExpiresAfterItsTtl() {
        long userId = newUserId();
        String key = UUID.randomUUID().toString();
        String first = given().contentType(ContentType.JSON).header("Idempotency-Key", key)
                .body(order(userId, 7, 1)).post("/v1/orders").then().statusCode(202)
                .extract().jsonPath().getString("id");
        int shard = ShardMap.even(4).shardOf(Buckets.of(userId));
        // As if placed 25 hours ago (million.orders.idempotency-key-ttl is 24 h).
        Postgres.sql("orders_test_" + shard, "update orders set created_at = now() - interval '25 hours' where id = "
                + first);
        String second = given().contentType(ContentType.JSON).header("Idempotency-Key", key)
                .body(order(userId, 7, 5)).post("/v1/orders").then().statusCode(202)
                .header("Idempotent-Replayed", nullValue())
                .extract().jsonPath().getString("id");
        assertTrue(!first.equals(second), "an expired key places a new order");
        assertEquals("2", Postgres.sql("orders_test_" + shard, "select count(*) from orders where user_id = " + userId));
    }

    @Test
    void anIdempotencyKeyIsRequired() {
        given().contentType(ContentType.JSON).body(order(newUserId(), 7, 1)).post("/v1/orders").then()
                .statusCode(400)
                .contentType(startsWith("application/problem+json"))
                .body("errors[0].field", equalTo("Idempotency-Key"));
        given().contentType(ContentType.JSON).header("Idempotency-Key", "k".repeat(256)).body(order(newUserId(), 7, 1))
                .post("/v1/orders").then().statusCode(400).body("errors[0].field", equalTo("Idempotency-Key"));
    }

    @Test
    void invalidOrdersNameTheField() {
        post(order(newUserId(), 7, 0)).post("/v1/orders").then()
                .statusCode(400)
                .contentType(startsWith("application/problem+json"))
                .body("errors[0].field", equalTo("items[0].quantity"));
        post(Map.of("userId", "1", "items", List.of())).post("/v1/orders")
                .then().statusCode(400).body("errors[0].field", equalTo("items"));
        post(Map.of("userId", "not-a-user", "items",
                List.of(Map.of("productId", 1, "quantity", 1)))).post("/v1/orders")
                .then().statusCode(400).body("errors[0].field", equalTo("userId"));
        post(Map.of("items", List.of(Map.of("productId", 1, "quantity", 1))))
                .post("/v1/orders").then().statusCode(400).body("errors[0].field", equalTo("userId"));
        List<Map<String, Object>> tooMany = Collections.nCopies(51, Map.of("productId", 1, "quantity", 1));
        post(Map.of("userId", 1, "items", tooMany)).post("/v1/orders")
                .then().statusCode(400).body("errors[0].field", equalTo("items"));
    }

    @Test
    void unknownOrderIsA404Problem() {
        given().get("/v1/orders/0").then().statusCode(404).contentType(startsWith("application/problem+json"));
        given().get("/v1/orders/nope").then().statusCode(404).contentType(startsWith("application/problem+json"));
    }

    @Test
    void listingIsOneUsersOrdersNewestFirst() {
        long userId = newUserId();
        List<Long> placed = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            placed.add(place(order(userId, 1, 1)));
        }
        place(order(userId + 1, 1, 1));
        List<Long> seen = PageWalker.ids("/v1/orders", Map.of("userId", userId), 2);
        Collections.reverse(placed);
        assertEquals(placed, seen);
    }

    @Test
    void aUsersOrdersLiveOnTheShardOfTheUserAndTheirIdsRouteThere() {
        long userId = newUserId();
        int shard = ShardMap.even(4).shardOf(Buckets.of(userId));
        List<Long> placed = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            placed.add(place(order(userId, 1, 1)));
        }
        for (long id : placed) {
            assertEquals(Buckets.of(userId), ShardIds.bucketOf(id), "the id carries the user's bucket");
        }
        assertEquals("3", Postgres.sql("orders_test_" + shard, "select count(*) from orders where user_id = " + userId));
        for (int other = 0; other < 4; other++) {
            if (other != shard) {
                assertEquals("0", Postgres.sql("orders_test_" + other,
                        "select count(*) from orders where user_id = " + userId));
            }
        }
    }

    @Test
    void listingNeedsAUser() {
        given().get("/v1/orders").then().statusCode(400).body("errors[0].field", equalTo("userId"));
    }

    /** The CBOR representation: an order placed, replayed, read and listed in CBOR. */
    @Test
    void anOrderInCborAsInJson() {
        String cbor = io.million.testing.CborBodies.TYPE;
        long userId = newUserId();
        String key = UUID.randomUUID().toString();
        byte[] body = io.million.testing.CborBodies.encode(order(userId, 7, 2));
        var placed = io.million.testing.CborBodies.body(given().contentType(cbor).accept(cbor)
                .header("Idempotency-Key", key).body(body).post("/v1/orders").then().statusCode(202)
                .header("ETag", org.hamcrest.Matchers.endsWith(".cbor\"")).extract());
        String id = placed.get("id").asText();
        assertEquals("PENDING", placed.get("status").asText());
        assertEquals(2, placed.get("items").get(0).get("quantity").asInt());
        // The same key and body in CBOR: the same order, replayed.
        var replayed = given().contentType(cbor).accept(cbor).header("Idempotency-Key", key).body(body)
                .post("/v1/orders").then().statusCode(202).header("Idempotent-Replayed", equalTo("true")).extract();
        assertEquals(id, io.million.testing.CborBodies.body(replayed).get("id").asText());

        var asJson = io.million.testing.CborBodies.json(given().get("/v1/orders/" + id).then().statusCode(200).extract());
        var asCbor = io.million.testing.CborBodies.body(given().accept(cbor).get("/v1/orders/" + id).then()
                .statusCode(200).extract());
        assertEquals(asJson.get("id"), asCbor.get("id"));
        assertEquals(asJson.get("items"), asCbor.get("items"));
        assertEquals(asJson.get("createdAt"), asCbor.get("createdAt"));

        place(order(userId, 8, 1));
        var page = io.million.testing.CborBodies.body(given().accept(cbor).queryParam("userId", userId)
                .queryParam("limit", 1).get("/v1/orders").then().statusCode(200).extract());
        assertEquals(1, page.get("items").size());
        var second = io.million.testing.CborBodies.body(given().accept(cbor).queryParam("userId", userId)
                .queryParam("limit", 1).queryParam("cursor", page.get("next").asText()).get("/v1/orders").then()
                .statusCode(200).extract());
        assertEquals(1, second.get("items").size());
        org.junit.jupiter.api.Assertions.assertNotEquals(page.get("items").get(0).get("id"), second.get("items").get(0).get("id"));
        given().contentType("application/x-protobuf").header("Idempotency-Key", UUID.randomUUID().toString())
                .body(new byte[] { 1, 2 }).post("/v1/orders").then().statusCode(415);
    }
}
