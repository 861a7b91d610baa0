package io.million.users;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.startsWith;

import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.http.ContentType;

/**
 * Rate limits over HTTP against the service's real Redis: a strict test policy of 2 per minute
 * per client address (the address comes from X-Forwarded-For, as the test client is a trusted
 * proxy on loopback; a fresh address per run keeps runs apart), and the headers of the
 * registration policy.
 */
@QuarkusTest
class UsersRateLimitTest {

    @BeforeEach
    void anonymous() {
        RestAssured.requestSpecification = null;
    }

    private static String freshClient() {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        return "2001:db8::" + Integer.toHexString(random.nextInt(1, 0xffff)) + ":"
                + Integer.toHexString(random.nextInt(1, 0xffff));
    }

    @Test
    void overTheLimitIs429WithRetryAfterAndRateLimitHeaders() {
        String client = freshClient();
        for (int remaining = 1; remaining >= 0; remaining--) {
            given().header("X-Forwarded-For", client).get("/v1/rate-limit-probe").then().statusCode(404)
                    .header("RateLimit-Policy", equalTo("\"probe\";q=2;w=60"))
                    .header("RateLimit", startsWith("\"probe\";r=" + remaining + ";t="));
        }
        given().header("X-Forwarded-For", client).get("/v1/rate-limit-probe").then().statusCode(429)
                .contentType("application/problem+json")
                .header("Retry-After", notNullValue())
                .header("RateLimit", startsWith("\"probe\";r=0;t="))
                .body("status", equalTo(429));
        given().header("X-Forwarded-For", freshClient()).get("/v1/rate-limit-probe").then().statusCode(404);
    }

    @Test
    void registrationIsLimitedPerClientAddress() {
        given().contentType(ContentType.JSON)
                .body(Map.of("email", "limit-" + UUID.randomUUID() + "@example.com", "name", "Ada"))
                .post("/v1/users").then().statusCode(201)
                .header("RateLimit-Policy", equalTo("\"registration\";q=1000;w=1"))
                .header("RateLimit", startsWith("\"registration\";r="));
    }
}
