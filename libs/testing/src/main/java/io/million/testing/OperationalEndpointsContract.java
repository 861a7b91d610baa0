package io.million.testing;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.hasItems;
import static org.hamcrest.Matchers.not;

import org.junit.jupiter.api.Test;

/**
 * What every Million service must answer for operators, checked against the running test app:
 * health that reflects PostgreSQL, Redis and Kafka; Prometheus metrics with HTTP and JVM series;
 * OpenAPI listing the service's {@code /v1/} paths. A service test class extends this and names
 * one of its paths.
 */
public abstract class OperationalEndpointsContract {

    /** A path this service serves, for example {@code /v1/users}. */
    protected abstract String apiPath();

    @Test
    void livenessIsUp() {
        given().get("/q/health/live").then().statusCode(200).body("status", equalTo("UP"));
    }

    /** Kafka is deliberately not a readiness check: writes wait in the outbox while it is down. */
    @Test
    void readinessReflectsPostgresAndRedisButNotKafka() {
        given().get("/q/health/ready").then().statusCode(200)
                .body("status", equalTo("UP"))
                .body("checks.name", hasItem(containsString("PostgreSQL")))
                .body("checks.name", hasItems("Redis connection health check"))
                .body("checks.name", not(hasItem(containsString("Kafka"))));
    }

    @Test
    void prometheusMetricsIncludeHttpAndJvm() {
        given().get(apiPath() + "/0").then().statusCode(404);
        given().get("/q/metrics").then().statusCode(200)
                .body(containsString("http_server_requests_seconds_count"))
                .body(containsString("jvm_memory_used_bytes"))
                .body(containsString("million_outbox_lag_seconds{"));
    }

    @Test
    void openApiListsTheServicePaths() {
        given().queryParam("format", "json").get("/q/openapi").then().statusCode(200)
                .body(containsString("\"" + apiPath() + "\""));
    }
}
