package io.million.testing;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.not;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.restassured.RestAssured;

/**
 * What every Million service must answer for operators, checked against the running test app, on
 * the management interface: readiness that reflects PostgreSQL (not Redis or Kafka); Prometheus
 * metrics with HTTP and JVM series; OpenAPI listing the service's {@code /v1/} paths; the operator
 * API behind an operator token. And the public port serves none of it. A service test class
 * extends this and names one of its paths.
 */
public abstract class OperationalEndpointsContract {

    /** A path this service serves, for example {@code /v1/users}. */
    protected abstract String apiPath();

    @BeforeEach
    void anonymous() {
        RestAssured.requestSpecification = null;
    }

    protected String onManagement(String path) {
        return Management.url(path);
    }

    @Test
    void livenessIsUp() {
        given().get(onManagement("/q/health/live")).then().statusCode(200).body("status", equalTo("UP"));
    }

    /**
     * Readiness is "this replica can serve": the shards, but neither Redis (shared by every replica;
     * caches become misses while it is down) nor Kafka (writes wait in the outbox). Redis is
     * reported in the dependencies group.
     */
    @Test
    void readinessReflectsPostgresButNotRedisOrKafka() {
        given().get(onManagement("/q/health/ready")).then().statusCode(200)
                .body("status", equalTo("UP"))
                .body("checks.name", hasItem(containsString("PostgreSQL")))
                .body("checks.name", not(hasItem(containsString("Redis"))))
                .body("checks.name", not(hasItem(containsString("Kafka"))));
        given().get(onManagement("/q/health/group/dependencies")).then().statusCode(200)
                .body("status", equalTo("UP"))
                .body("checks.name", hasItem("Redis"));
    }

    @Test
    void prometheusMetricsIncludeHttpAndJvm() {
        given().get("/v1/no-such-path").then().statusCode(404);
        given().get(onManagement("/q/metrics")).then().statusCode(200)
                .body(containsString("http_server_requests_seconds_count"))
                .body(containsString("jvm_memory_used_bytes"))
                .body(containsString("million_outbox_lag_seconds{"));
    }

    @Test
    void openApiListsTheServicePaths() {
        given().queryParam("format", "json").get(onManagement("/q/openapi")).then().statusCode(200)
                .body(containsString("\"" + apiPath() + "\""))
                .body(containsString("\"bearer\""))
                .body(not(containsString("/admin/shards")));
    }

    /**
     * The served contract is the checked-in one (this module's {@code openapi.json}): a change to
     * the API is a reviewed diff, and the merged platform document and the generated client
     * (clients/java) are built from these files.
     */
    @Test
    void theServedOpenApiIsTheCheckedInSnapshot() {
        String served = given().queryParam("format", "json").get(onManagement("/q/openapi")).then().statusCode(200)
                .extract().asString();
        ContractSnapshot.check(ContractSnapshot.parse(served), java.nio.file.Path.of("openapi.json"));
    }

    @Test
    void thePublicPortServesNothingOperational() {
        for (String path : new String[] { "/q/health/ready", "/q/health/live", "/q/metrics", "/q/openapi",
                "/admin/shards", "/admin/dlq" }) {
            given().get(path).then().statusCode(404).contentType("application/problem+json");
        }
    }

    @Test
    void theOperatorApiNeedsAnOperatorToken() {
        given().get(onManagement("/admin/shards")).then().statusCode(401)
                .header("WWW-Authenticate", containsString("Bearer")).contentType("application/problem+json");
        given().header("Authorization", Tokens.bearer("1", Tokens.CATALOG_ADMIN)).get(onManagement("/admin/shards"))
                .then().statusCode(403).contentType("application/problem+json");
        given().header("Authorization", "Bearer " + Tokens.hostile("1").get(0).token())
                .get(onManagement("/admin/shards")).then().statusCode(401);
        given().header("Authorization", Tokens.operator()).get(onManagement("/admin/shards")).then().statusCode(200)
                .body("shards", equalTo(4));
    }

    @Test
    void theDeadLettersNeedAnOperatorToken() {
        for (String path : new String[] { "/admin/dlq", "/admin/dlq/replay" }) {
            boolean replay = path.endsWith("replay");
            given().request(replay ? "POST" : "GET", onManagement(path)).then().statusCode(401)
                    .contentType("application/problem+json");
            given().header("Authorization", Tokens.bearer("1", Tokens.CATALOG_ADMIN))
                    .request(replay ? "POST" : "GET", onManagement(path)).then().statusCode(403)
                    .contentType("application/problem+json");
        }
        given().header("Authorization", Tokens.operator()).get(onManagement("/admin/dlq")).then().statusCode(200)
                .body("topic", containsString(".dlq")).body("depth", org.hamcrest.Matchers.greaterThanOrEqualTo(0));
        given().header("Authorization", Tokens.operator()).get(onManagement("/admin/dlq?limit=0")).then()
                .statusCode(400).contentType("application/problem+json");
    }
}
