package io.million.users;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.endsWith;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItems;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import io.million.testing.KafkaProbe;
import io.million.testing.LocalStack;
import io.million.testing.PageWalker;
import io.quarkus.redis.datasource.RedisDataSource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;

@QuarkusTest
@WithTestResource(value = LocalStack.class, scope = TestResourceScope.GLOBAL, initArgs = {
        @ResourceArg(name = "redis-port-variable", value = "MILLION_USERS_REDIS_PORT"),
        @ResourceArg(name = "redis-port-default", value = "6381") })
class UserResourceTest {

    /** Routes here need a token: these tests act as an operator (access rules: *AccessTest). */
    @org.junit.jupiter.api.BeforeEach
    void asOperator() {
        io.million.testing.Tokens.asOperator();
    }

    static final String MERGE_PATCH = "application/merge-patch+json";

    @Inject
    RedisDataSource redis;

    static String newEmail() {
        return "Ada." + UUID.randomUUID() + "@Example.com";
    }

    static String create(String email, String name) {
        return given().contentType(ContentType.JSON).body(Map.of("email", email, "name", name))
                .post("/v1/users").then().statusCode(201).extract().jsonPath().getString("id");
    }

    @Test
    void createThenGetThroughPostgresRedisAndKafka() {
        String email = newEmail();
        var response = given().contentType(ContentType.JSON).body(Map.of("email", email, "name", " Ada "))
                .post("/v1/users").then()
                .statusCode(201)
                .header("ETag", equalTo("\"0\""))
                .body("email", equalTo(email.toLowerCase()))
                .body("name", equalTo("Ada"))
                .extract();
        String id = response.jsonPath().getString("id");
        assertTrue(id.matches("[1-9][0-9]{15,18}"), "a shard-aware id, as a JSON string: " + id);
        org.hamcrest.MatcherAssert.assertThat(response.header("Location"), endsWith("/v1/users/" + id));

        given().get("/v1/users/" + id).then().statusCode(200)
                .header("ETag", equalTo("\"0\""))
                .header("Cache-Control", containsString("private"))
                .body("id", equalTo(id))
                .body("email", equalTo(email.toLowerCase()));
        assertTrue(redis.key().exists("users:user:" + id), "the read went through the Redis tier");

        var event = KafkaProbe.awaitRecord("test.users.events", id, email.toLowerCase(), Duration.ofSeconds(30))
                .orElseThrow(() -> new AssertionError("no users.events record keyed " + id));
        assertEquals("user.created", KafkaProbe.header(event, "event-type"), "published through the outbox");
        assertTrue(event.value().contains("\"userId\":\"" + id + "\""), event.value());
    }

    @Test
    void conditionalGetAnswers304ForTheCurrentETag() {
        String id = create(newEmail(), "Cond");
        given().header("If-None-Match", "\"0\"").get("/v1/users/" + id).then()
                .statusCode(304).header("ETag", equalTo("\"0\""));
        given().header("If-None-Match", "\"7\", W/\"0\"").get("/v1/users/" + id).then().statusCode(200);
    }

    @Test
    void patchRenamesAndHonoursIfMatch() {
        String id = create(newEmail(), "Before");
        given().contentType(MERGE_PATCH).header("If-Match", "\"3\"").body("{\"name\":\"After\"}")
                .patch("/v1/users/" + id).then()
                .statusCode(412).contentType(startsWith("application/problem+json"));
        given().contentType(MERGE_PATCH).header("If-Match", "\"0\"").body("{\"name\":\"After\"}")
                .patch("/v1/users/" + id).then()
                .statusCode(200).header("ETag", equalTo("\"1\"")).body("name", equalTo("After"));
        given().get("/v1/users/" + id).then().statusCode(200).body("name", equalTo("After"))
                .body("version", equalTo(1));
        given().contentType(MERGE_PATCH).header("If-Match", "\"0\"").body("{\"name\":\"Stale\"}")
                .patch("/v1/users/" + id).then().statusCode(412);
    }

    @Test
    void concurrentPatchesNeverFail() {
        String id = create(newEmail(), "Racer");
        // Blind merge patches queue on the row: every one applies, none is a 409 or a 500.
        var blind = io.million.testing.Concurrently.statuses(20, () -> given().contentType(MERGE_PATCH)
                .body("{\"name\":\"Racer " + Thread.currentThread().getId() + "\"}")
                .patch("/v1/users/" + id).statusCode());
        org.junit.jupiter.api.Assertions.assertEquals(Map.of(200, 20), blind);
        given().get("/v1/users/" + id).then().statusCode(200).body("version", equalTo(20));
        // With the same If-Match exactly one wins; the others are told the version moved.
        var conditional = io.million.testing.Concurrently.statuses(20, () -> given().contentType(MERGE_PATCH)
                .header("If-Match", "\"20\"").body("{\"name\":\"Winner\"}")
                .patch("/v1/users/" + id).statusCode());
        org.junit.jupiter.api.Assertions.assertEquals(Map.of(200, 1, 412, 19), conditional);
    }

    @Test
    void textTheDatabaseCannotStoreIsA400NamingTheField() {
        given().contentType(ContentType.JSON).body("{\"email\":\"" + newEmail() + "\",\"name\":\"a\\u0000b\"}")
                .post("/v1/users").then().statusCode(400).body("errors[0].field", equalTo("name"));
        String id = create(newEmail(), "Clean");
        given().contentType(MERGE_PATCH).body("{\"name\":\"a\\u0000\"}").patch("/v1/users/" + id).then()
                .statusCode(400).body("errors[0].field", equalTo("name"));
        // Lower-casing U+0130 doubles its length: the limit applies to the email as stored.
        String email = "\u0130".repeat(60) + "@" + ("a".repeat(60) + ".").repeat(3) + "io";
        given().contentType(ContentType.JSON).body(Map.of("email", email, "name", "Long"))
                .post("/v1/users").then().statusCode(400).body("errors[0].field", equalTo("email"));
    }

    @Test
    void patchRefusesWhatCannotChange() {
        String id = create(newEmail(), "Fixed");
        given().contentType(MERGE_PATCH).body("{\"email\":\"other@example.com\"}").patch("/v1/users/" + id).then()
                .statusCode(422).body("errors[0].field", equalTo("email"));
        given().contentType(MERGE_PATCH).body("{\"name\":\"\"}").patch("/v1/users/" + id).then()
                .statusCode(400).body("errors[0].field", equalTo("name"));
        given().contentType(MERGE_PATCH).body("{\"role\":\"admin\"}").patch("/v1/users/" + id).then()
                .statusCode(400).body("errors[0].field", equalTo("role"));
        given().contentType(ContentType.JSON).body("{\"name\":\"x\"}").patch("/v1/users/" + id).then()
                .statusCode(415);
        given().contentType(MERGE_PATCH).body("{\"name\":\"Ghost\"}").patch("/v1/users/42").then().statusCode(404);
    }

    @Test
    void deleteFreesTheEmail() {
        String email = newEmail();
        String id = create(email, "Gone");
        given().get("/v1/users/" + id).then().statusCode(200);
        given().header("If-Match", "\"9\"").delete("/v1/users/" + id).then().statusCode(412);
        given().delete("/v1/users/" + id).then().statusCode(204);
        given().get("/v1/users/" + id).then().statusCode(404);
        given().delete("/v1/users/" + id).then().statusCode(404);
        create(email.toUpperCase(), "Back");
    }

    @Test
    void emailIsUniqueIgnoringCase() {
        String email = newEmail();
        create(email, "First");
        given().contentType(ContentType.JSON).body(Map.of("email", email.toUpperCase(), "name", "Second"))
                .post("/v1/users").then()
                .statusCode(409)
                .contentType(startsWith("application/problem+json"));
    }

    @Test
    void invalidInputNamesTheFields() {
        given().contentType(ContentType.JSON).body(Map.of("email", "not-an-email", "name", ""))
                .post("/v1/users").then()
                .statusCode(400)
                .contentType(startsWith("application/problem+json"))
                .body("errors.field", hasItems("email", "name"));
        given().contentType(ContentType.JSON).body(Map.of("email", newEmail(), "name", "x".repeat(101)))
                .post("/v1/users").then().statusCode(400).body("errors[0].field", equalTo("name"));
    }

    @Test
    void unknownOrMalformedIdIsA404Problem() {
        for (String id : List.of("0", "abc", "-5", "99999999999999999999")) {
            given().get("/v1/users/" + id).then()
                    .statusCode(404)
                    .contentType(startsWith("application/problem+json"))
                    .body("detail", notNullValue());
        }
    }

    @Test
    void listingPagesThroughEveryShardOnceInIdOrder() {
        List<String> mine = new java.util.ArrayList<>();
        for (int i = 0; i < 12; i++) {
            mine.add(create(newEmail(), "Pager " + i));
        }
        List<Long> seen = PageWalker.ids("/v1/users", Map.of(), 50);
        assertEquals(seen.stream().distinct().sorted().toList(), seen, "ascending, no repeats");
        assertTrue(seen.containsAll(mine.stream().map(Long::valueOf).toList()), "every created user is listed");
    }

    /** The CBOR representation: create, read, conditional read, patch, fields, paging and delete. */
    @Test
    void aUserInCborAsInJson() {
        String cbor = io.million.testing.CborBodies.TYPE;
        var created = given().contentType(cbor).accept(cbor)
                .body(io.million.testing.CborBodies.encode(Map.of("email", newEmail(), "name", "Ada")))
                .post("/v1/users").then().statusCode(201).header("ETag", equalTo("\"0.cbor\"")).extract();
        var user = io.million.testing.CborBodies.body(created);
        String id = user.get("id").asText();

        var asJson = io.million.testing.CborBodies.json(given().get("/v1/users/" + id).then().statusCode(200)
                .header("ETag", equalTo("\"0\"")).extract());
        var asCbor = io.million.testing.CborBodies.body(given().accept(cbor).get("/v1/users/" + id).then()
                .statusCode(200).header("ETag", equalTo("\"0.cbor\"")).header("Vary", containsString("Accept"))
                .extract());
        assertEquals(asJson, asCbor, "the same fields and values in both formats");
        given().accept(cbor).header("If-None-Match", "\"0.cbor\"").get("/v1/users/" + id).then().statusCode(304);
        given().accept(cbor).header("If-None-Match", "\"0\"").get("/v1/users/" + id).then().statusCode(200);

        // A CBOR merge patch, conditional on the CBOR tag; a stale one is a 412.
        var patched = io.million.testing.CborBodies.body(given().contentType(cbor).accept(cbor)
                .header("If-Match", "\"0.cbor\"").body(io.million.testing.CborBodies.encode(Map.of("name", "Grace")))
                .patch("/v1/users/" + id).then().statusCode(200).header("ETag", equalTo("\"1.cbor\"")).extract());
        assertEquals("Grace", patched.get("name").asText());
        given().contentType(cbor).header("If-Match", "\"0.cbor\"")
                .body(io.million.testing.CborBodies.encode(Map.of("name", "Ada"))).patch("/v1/users/" + id).then()
                .statusCode(412).contentType(containsString("application/problem+json"));

        var selected = io.million.testing.CborBodies.body(given().accept(cbor).queryParam("fields", "name")
                .get("/v1/users/" + id).then().statusCode(200).header("ETag", equalTo("\"1+name.cbor\"")).extract());
        assertEquals(1, selected.size());
        assertTrue(selected.has("name"));

        var page = io.million.testing.CborBodies.body(given().accept(cbor).queryParam("limit", 2).get("/v1/users")
                .then().statusCode(200).extract());
        assertEquals(2, page.get("items").size());
        var next = io.million.testing.CborBodies.body(given().accept(cbor).queryParam("limit", 2)
                .queryParam("cursor", page.get("next").asText()).get("/v1/users").then().statusCode(200).extract());
        assertTrue(next.get("items").get(0).get("id").asLong() > page.get("items").get(1).get("id").asLong());

        given().header("If-Match", "\"1.cbor\"").delete("/v1/users/" + id).then().statusCode(204);
        given().accept("text/html").get("/v1/users/" + id).then().statusCode(406);
    }
}
