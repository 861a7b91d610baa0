package io.million.users;

import static io.restassured.RestAssured.given;

import java.time.Duration;
import java.util.Map;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.million.testing.Postgres;
import io.million.testing.Replica;
import io.restassured.http.ContentType;

/**
 * A replica starting while one of its shards is down: it starts and serves the other shards, the
 * down shard's keys answer 503, and once the shard is back (and migrated) its keys are served.
 */
class ShardDownAtStartIT {

    private static final Map<String, String> TEST_STORES = Map.of(
            "million.sharding.database", "users_test",
            "quarkus.redis.hosts", "redis://127.0.0.1:"
                    + System.getenv().getOrDefault("MILLION_USERS_REDIS_PORT", "6381") + "/1");

    @BeforeEach
    void asOperator() {
        io.million.testing.Tokens.asOperator();
    }

    @Test
    void aReplicaStartsWithAShardDownAndServesItWhenItReturns() {
        String onDown;
        String onUp;
        try (Replica first = Replica.start(18391, TEST_STORES)) {
            onDown = create(first, ShardingTest.emailOnShard(2));
            onUp = create(first, ShardingTest.emailOnShard(1));
        }
        Postgres.stopDatabase("users_test_2");
        try (Replica replica = startWhileDown()) {
            given().baseUri(replica.baseUrl()).get("/v1/users/" + onUp).then().statusCode(200);
            given().baseUri(replica.baseUrl()).get("/v1/users/" + onDown).then().statusCode(503)
                    .contentType("application/problem+json").header("Retry-After", "2");
            given().get(replica.managementUrl() + "/q/health/ready").then().statusCode(200)
                    .body("checks.find { it.name == 'PostgreSQL shards' }.data.shard2",
                            org.hamcrest.Matchers.equalTo("DOWN"));
            Postgres.startDatabase("users_test_2");
            Awaitility.await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(500))
                    .until(() -> given().baseUri(replica.baseUrl()).get("/v1/users/" + onDown).statusCode() == 200);
            given().get(replica.managementUrl() + "/q/health/ready").then().statusCode(200)
                    .body("checks.find { it.name == 'PostgreSQL shards' }.data.shard2",
                            org.hamcrest.Matchers.equalTo("UP"));
        } finally {
            Postgres.startDatabase("users_test_2");
        }
    }

    private static Replica startWhileDown() {
        return Replica.start(18392, TEST_STORES);
    }

    private static String create(Replica replica, String email) {
        return given().baseUri(replica.baseUrl()).contentType(ContentType.JSON)
                .body(Map.of("email", email, "name", "At start")).post("/v1/users").then().statusCode(201)
                .extract().jsonPath().getString("id");
    }
}
