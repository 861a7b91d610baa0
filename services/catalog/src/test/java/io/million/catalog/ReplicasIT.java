package io.million.catalog;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Map;

import org.junit.jupiter.api.Test;

import io.million.testing.Replica;
import io.restassured.http.ContentType;

/**
 * Two catalog replicas from the packaged jar, sharing the test database and Redis: a write on one
 * must be visible on the other within one second, although the other had the product in its L1.
 */
class ReplicasIT {

    /** Routes here need a token: these tests act as an operator (access rules: *AccessTest). */
    @org.junit.jupiter.api.BeforeEach
    void asOperator() {
        io.million.testing.Tokens.asOperator();
    }

    private static final Map<String, String> TEST_STORES = Map.of(
            "million.sharding.database", "catalog_test",
            "quarkus.redis.hosts", "redis://127.0.0.1:"
                    + System.getenv().getOrDefault("MILLION_CATALOG_REDIS_PORT", "6382") + "/1",
            "million.catalog.product-cache.ttl", "PT10M");

    @Test
    void anUpdateOnOneReplicaIsVisibleOnTheOtherWithinASecond() throws InterruptedException {
        try (Replica a = Replica.start(18291, TEST_STORES); Replica b = Replica.start(18292, TEST_STORES)) {
            String sku = "IT-" + System.nanoTime();
            String id = given().baseUri(a.baseUrl()).contentType(ContentType.JSON)
                    .body(Map.of("sku", sku, "name", "Before", "category", "it", "priceCents", 100,
                            "currency", "EUR", "stock", 1))
                    .post("/v1/products").then().statusCode(201).extract().jsonPath().getString("id");
            for (int i = 0; i < 2; i++) { // B now serves it from its own L1
                given().baseUri(b.baseUrl()).get("/v1/products/" + id).then().statusCode(200);
            }
            given().baseUri(a.baseUrl()).contentType("application/merge-patch+json").body("{\"name\":\"After\"}")
                    .patch("/v1/products/" + id).then().statusCode(200);
            String seen = null;
            long deadline = System.nanoTime() + 1_000_000_000L;
            while (System.nanoTime() < deadline) {
                seen = given().baseUri(b.baseUrl()).get("/v1/products/" + id).then().statusCode(200)
                        .extract().path("name");
                if ("After".equals(seen)) {
                    break;
                }
                Thread.sleep(20);
            }
            assertEquals("After", seen, "replica B still served the old product a second after the write");
        }
    }
}
