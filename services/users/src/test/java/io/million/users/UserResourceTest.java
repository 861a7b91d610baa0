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
import java.util.ArrayList;
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
import io.restassured.path.json.JsonPath;

@QuarkusTest
@WithTestResource(value = LocalStack.class, scope = TestResourceScope.GLOBAL, initArgs = {
        @ResourceArg(name = "redis-port-variable", value = "MILLION_USERS_REDIS_PORT"),
        @ResourceArg(name = "redis-port-default", value = "6381") })
class UserResourceTest {

    @Inject
    RedisDataSource redis;

    static String newEmail() {
        return "Ada." + UUID.randomUUID() + "@Example.com";
    }

    static long create(String email, String name) {
        return given().contentType(ContentType.JSON).body(Map.of("email", email, "name", name))
                .post("/v1/users").then().statusCode(201).extract().jsonPath().getLong("id");
    }

    @Test
    void createThenGetThroughPostgresRedisAndKafka() {
        String email = newEmail();
        JsonPath created = given().contentType(ContentType.JSON).body(Map.of("email", email, "name", " Ada "))
                .post("/v1/users").then()
                .statusCode(201)
                .header("ETag", notNullValue())
                .body("email", equalTo(email.toLowerCase()))
                .body("name", equalTo("Ada"))
                .extract().jsonPath();
        long id = created.getLong("id");
        given().contentType(ContentType.JSON).body(Map.of("email", newEmail(), "name", "Bo"))
                .post("/v1/users").then().statusCode(201).header("Location", startsWith("http"));

        given().get("/v1/users/" + id).then().statusCode(200)
                .header("ETag", notNullValue())
                .body("id", equalTo((int) id))
                .body("email", equalTo(email.toLowerCase()));
        assertEquals(1, redis.key().exists("users:user:" + id) ? 1 : 0, "the read went through the Redis tier");

        String event = KafkaProbe.awaitRecord("users.events", Long.toString(id), email.toLowerCase(), Duration.ofSeconds(30))
                .orElseThrow(() -> new AssertionError("no users.events record keyed " + id));
        assertTrue(event.contains("\"type\":\"user.created\""), event);
        assertTrue(event.contains(email.toLowerCase()), event);
    }

    @Test
    void locationPointsAtTheNewUser() {
        var response = given().contentType(ContentType.JSON).body(Map.of("email", newEmail(), "name", "Cy"))
                .post("/v1/users").then().statusCode(201).extract();
        long id = response.jsonPath().getLong("id");
        org.hamcrest.MatcherAssert.assertThat(response.header("Location"), endsWith("/v1/users/" + id));
    }

    @Test
    void emailIsUniqueIgnoringCase() {
        String email = newEmail();
        create(email, "First");
        given().contentType(ContentType.JSON).body(Map.of("email", email.toUpperCase(), "name", "Second"))
                .post("/v1/users").then()
                .statusCode(409)
                .contentType(startsWith("application/problem+json"))
                .body("status", equalTo(409));
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
    void unknownUserIsA404Problem() {
        given().get("/v1/users/0").then()
                .statusCode(404)
                .contentType(startsWith("application/problem+json"))
                .body("detail", containsString("0"));
    }

    @Test
    void listingPagesThroughEveryUserOnceInIdOrder() {
        List<Long> mine = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            mine.add(create(newEmail(), "Pager " + i));
        }
        List<Long> seen = PageWalker.ids("/v1/users", Map.of(), 50);
        assertEquals(seen.stream().distinct().sorted().toList(), seen, "ascending, no repeats");
        assertTrue(seen.containsAll(mine), "every created user is listed");
    }
}
