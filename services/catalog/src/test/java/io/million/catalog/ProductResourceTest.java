package io.million.catalog;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.endsWith;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItems;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.hasKey;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
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
        @ResourceArg(name = "redis-port-variable", value = "MILLION_CATALOG_REDIS_PORT"),
        @ResourceArg(name = "redis-port-default", value = "6382") })
class ProductResourceTest {

    /** Routes here need a token: these tests act as an operator (access rules: *AccessTest). */
    @org.junit.jupiter.api.BeforeEach
    void asOperator() {
        io.million.testing.Tokens.asOperator();
    }

    @Inject
    RedisDataSource redis;

    static Map<String, Object> product(String sku, String category) {
        Map<String, Object> body = new HashMap<>();
        body.put("sku", sku);
        body.put("name", "Mug " + sku);
        body.put("description", "A mug");
        body.put("category", category);
        body.put("priceCents", 1299);
        body.put("currency", "EUR");
        body.put("stock", 10);
        return body;
    }

    static String newSku() {
        return "SKU-" + UUID.randomUUID();
    }

    static long create(Map<String, Object> body) {
        return Long.parseLong(given().contentType(ContentType.JSON).body(body).post("/v1/products").then()
                .statusCode(201).extract().jsonPath().getString("id"));
    }

    @Test
    void createThenGetThroughPostgresRedisAndKafka() {
        String sku = newSku();
        var response = given().contentType(ContentType.JSON).body(product(sku, "kitchen")).post("/v1/products")
                .then().statusCode(201)
                .body("sku", equalTo(sku))
                .body("priceCents", equalTo(1299))
                .body("$", not(hasKey("stock")))
                .extract();
        long id = Long.parseLong(response.jsonPath().getString("id"));
        org.hamcrest.MatcherAssert.assertThat(response.header("Location"), endsWith("/v1/products/" + id));

        given().get("/v1/products/" + id).then().statusCode(200)
                .body("sku", equalTo(sku))
                .body("currency", equalTo("EUR"));
        assertTrue(redis.key().exists("catalog:product:" + id), "the read went through the Redis tier");

        var event = KafkaProbe.awaitRecord("test.catalog.events", Long.toString(id), sku, Duration.ofSeconds(30))
                .orElseThrow(() -> new AssertionError("no catalog.events record keyed " + id));
        assertEquals("product.created", KafkaProbe.header(event, "event-type"), "published through the outbox");
        assertTrue(event.value().contains("\"sku\":\"" + sku + "\""), event.value());
    }

    @Test
    void skuIsUnique() {
        String sku = newSku();
        create(product(sku, "kitchen"));
        given().contentType(ContentType.JSON).body(product(sku, "garden")).post("/v1/products").then()
                .statusCode(409)
                .contentType(startsWith("application/problem+json"));
    }

    @Test
    void invalidInputNamesTheFields() {
        Map<String, Object> body = product("bad sku!", "");
        body.put("priceCents", -1);
        body.put("currency", "euro");
        body.remove("stock");
        given().contentType(ContentType.JSON).body(body).post("/v1/products").then()
                .statusCode(400)
                .contentType(startsWith("application/problem+json"))
                .body("errors.field", hasItems("sku", "category", "priceCents", "currency", "stock"));
    }

    @Test
    void unknownProductIsA404Problem() {
        given().get("/v1/products/0").then().statusCode(404).contentType(startsWith("application/problem+json"));
    }

    @Test
    void categoryListingPagesThroughItsProductsOnly() {
        String category = "cat-" + UUID.randomUUID();
        List<Long> mine = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            mine.add(create(product(newSku(), category)));
        }
        create(product(newSku(), "other-" + category));
        List<Long> seen = PageWalker.ids("/v1/products", Map.of("category", category), 2);
        assertEquals(mine, seen);
    }

    @Test
    void patchChangesTheProductEverywhereAndHonoursIfMatch() {
        long id = create(product(newSku(), "kitchen"));
        given().get("/v1/products/" + id).then().statusCode(200).body("name", org.hamcrest.Matchers.startsWith("Mug"));
        given().get("/v1/products/" + id).then().statusCode(200); // now cached in L1 and L2
        given().contentType("application/merge-patch+json").header("If-Match", "\"5\"")
                .body("{\"name\":\"Big mug\"}").patch("/v1/products/" + id).then().statusCode(412);
        given().contentType("application/merge-patch+json").header("If-Match", "\"0\"")
                .body("{\"name\":\"Big mug\",\"priceCents\":1500,\"description\":null}")
                .patch("/v1/products/" + id).then().statusCode(200)
                .header("ETag", equalTo("\"1\"")).body("name", equalTo("Big mug"));
        given().get("/v1/products/" + id).then().statusCode(200)
                .header("ETag", equalTo("\"1\""))
                .body("name", equalTo("Big mug")).body("priceCents", equalTo(1500));
    }

    @Test
    void concurrentPatchesWithOneIfMatchHaveOneWinner() {
        long id = create(product(newSku(), "kitchen"));
        var statuses = io.million.testing.Concurrently.statuses(20, () -> given()
                .contentType("application/merge-patch+json").header("If-Match", "\"0\"")
                .body("{\"priceCents\":" + (1000 + Thread.currentThread().getId()) + "}")
                .patch("/v1/products/" + id).statusCode());
        org.junit.jupiter.api.Assertions.assertEquals(java.util.Map.of(200, 1, 412, 19), statuses);
        var blind = io.million.testing.Concurrently.statuses(20, () -> given()
                .contentType("application/merge-patch+json").body("{\"name\":\"Mug\"}")
                .patch("/v1/products/" + id).statusCode());
        org.junit.jupiter.api.Assertions.assertEquals(java.util.Map.of(200, 20), blind);
        given().get("/v1/products/" + id).then().statusCode(200).header("ETag", equalTo("\"21\""));
    }

    @Test
    void inputTheDatabaseCannotTakeIsA400NamingTheField() {
        var body = new java.util.HashMap<>(product(newSku(), "kitchen"));
        body.put("description", "a\u0000b");
        given().contentType(ContentType.JSON).body(body).post("/v1/products").then()
                .statusCode(400).body("errors[0].field", equalTo("description"));
        body = new java.util.HashMap<>(product(newSku(), "kitchen"));
        body.put("priceCents", 12.5);
        given().contentType(ContentType.JSON).body(body).post("/v1/products").then()
                .statusCode(400).body("errors[0].field", equalTo("priceCents"));
        given().contentType(ContentType.JSON)
                .body("{\"sku\":\"" + newSku() + "\",\"name\":\"n\",\"category\":\"c\",\"currency\":\"EUR\","
                        + "\"priceCents\":99999999999999999999999,\"stock\":1}")
                .post("/v1/products").then().statusCode(400).body("errors[0].field", equalTo("priceCents"));
        long id = create(product(newSku(), "kitchen"));
        given().contentType("application/merge-patch+json").body("{\"category\":\"\\u0000\"}")
                .patch("/v1/products/" + id).then().statusCode(400).body("errors[0].field", equalTo("category"));
        given().urlEncodingEnabled(false).get("/v1/products?category=%00").then()
                .statusCode(400).body("errors[0].field", equalTo("category"));
    }

    @Test
    void patchRefusesInvalidOrFixedFields() {
        long id = create(product(newSku(), "kitchen"));
        given().contentType("application/merge-patch+json").body("{\"sku\":\"OTHER\"}")
                .patch("/v1/products/" + id).then().statusCode(422).body("errors[0].field", equalTo("sku"));
        given().contentType("application/merge-patch+json")
                .body("{\"priceCents\":-5,\"currency\":\"euro\",\"stock\":3,\"name\":7}")
                .patch("/v1/products/" + id).then().statusCode(400)
                .body("errors.field", hasItems("priceCents", "currency", "stock", "name"));
        given().contentType("application/merge-patch+json").body("{\"name\":\"x\"}")
                .patch("/v1/products/0").then().statusCode(404);
    }

    @Test
    void deleteRemovesTheProductAndItsCachedCopies() {
        long id = create(product(newSku(), "kitchen"));
        given().get("/v1/products/" + id).then().statusCode(200);
        given().header("If-Match", "\"3\"").delete("/v1/products/" + id).then().statusCode(412);
        given().delete("/v1/products/" + id).then().statusCode(204);
        given().get("/v1/products/" + id).then().statusCode(404);
        given().get("/v1/products/" + id + "/stock").then().statusCode(404);
    }

    @Test
    void stockIsItsOwnBrieflyCacheableResource() {
        long id = create(product(newSku(), "kitchen"));
        given().get("/v1/products/" + id + "/stock").then().statusCode(200)
                .header("Cache-Control", equalTo("public, max-age=1, s-maxage=1"))
                .body("productId", equalTo(Long.toString(id)))
                .body("available", equalTo(10))
                .body("reserved", equalTo(0));
    }

    @Test
    void listingNeedsACategory() {
        given().get("/v1/products").then().statusCode(400).body("errors[0].field", equalTo("category"));
    }

    /**
     * The CBOR representation: created and patched in CBOR, read twice (the second from L1 through
     * the hot path), its own ETag, ?fields= on the REST path, the listing's pages and the stock.
     */
    @Test
    void aProductInCborAsInJson() {
        String cbor = io.million.testing.CborBodies.TYPE;
        String category = "cbor-" + UUID.randomUUID();
        var created = io.million.testing.CborBodies.body(given().contentType(cbor).accept(cbor)
                .body(io.million.testing.CborBodies.encode(product(newSku(), category))).post("/v1/products").then()
                .statusCode(201).header("ETag", equalTo("\"0.cbor\"")).extract());
        String id = created.get("id").asText();
        create(product(newSku(), category));
        create(product(newSku(), category));

        var asJson = io.million.testing.CborBodies.json(given().get("/v1/products/" + id).then().statusCode(200)
                .header("ETag", equalTo("\"0\"")).extract());
        for (int read = 0; read < 2; read++) {
            var asCbor = io.million.testing.CborBodies.body(given().accept(cbor).get("/v1/products/" + id).then()
                    .statusCode(200).header("ETag", equalTo("\"0.cbor\"")).header("Vary", containsString("Accept"))
                    .extract());
            assertEquals(asJson, asCbor, "read " + read);
        }
        given().accept(cbor).header("If-None-Match", "\"0.cbor\"").get("/v1/products/" + id).then().statusCode(304);
        given().header("If-None-Match", "\"0.cbor\"").get("/v1/products/" + id).then().statusCode(200)
                .contentType(ContentType.JSON);
        var selected = io.million.testing.CborBodies.body(given().accept(cbor).queryParam("fields", "sku,name")
                .get("/v1/products/" + id).then().statusCode(200).header("ETag", equalTo("\"0+name+sku.cbor\""))
                .extract());
        assertEquals(2, selected.size());
        assertEquals(created.get("sku"), selected.get("sku"));

        var patched = io.million.testing.CborBodies.body(given().contentType(cbor).accept(cbor)
                .header("If-Match", "\"0.cbor\"").body(io.million.testing.CborBodies.encode(Map.of("priceCents", 999)))
                .patch("/v1/products/" + id).then().statusCode(200).header("ETag", equalTo("\"1.cbor\"")).extract());
        assertEquals(999, patched.get("priceCents").asInt());
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(10)).until(() -> io.million.testing.CborBodies.body(given()
                .accept(cbor).get("/v1/products/" + id).then().statusCode(200).extract()).get("priceCents").asInt() == 999);

        var page = io.million.testing.CborBodies.body(given().accept(cbor).queryParam("category", category)
                .queryParam("limit", 2).get("/v1/products").then().statusCode(200).extract());
        assertEquals(2, page.get("items").size());
        var last = io.million.testing.CborBodies.body(given().accept(cbor).queryParam("category", category)
                .queryParam("limit", 2).queryParam("cursor", page.get("next").asText()).get("/v1/products").then()
                .statusCode(200).extract());
        assertEquals(1, last.get("items").size());
        assertTrue(last.get("next") == null || last.get("next").isNull());

        var stock = io.million.testing.CborBodies.body(given().accept(cbor).get("/v1/products/" + id + "/stock")
                .then().statusCode(200).extract());
        assertEquals(10, stock.get("available").asInt());
        given().accept("text/html").get("/v1/products/" + id).then().statusCode(406)
                .contentType(containsString("application/problem+json"));
    }
}
