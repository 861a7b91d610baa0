package io.million.catalog;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasKey;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.notNullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import io.million.sharding.Buckets;
import io.million.sharding.ShardMap;
import io.million.testing.Postgres;
import io.quarkus.redis.datasource.RedisDataSource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;

/** Product reads through L1 / L2 / PostgreSQL, with the HTTP caching contract for CDNs. */
@QuarkusTest
class ProductCachingTest {

    /** Routes here need a token: these tests act as an operator (access rules: *AccessTest). */
    @org.junit.jupiter.api.BeforeEach
    void asOperator() {
        io.million.testing.Tokens.asOperator();
    }

    @Inject
    RedisDataSource redis;

    @Inject
    io.million.cache.TieredCache products;

    static long newProduct() {
        return ProductResourceTest.create(ProductResourceTest.product(ProductResourceTest.newSku(), "cached"));
    }

    static double metric(String series) {
        String metrics = given().get(io.million.testing.Management.url("/q/metrics")).asString();
        for (String line : metrics.split("\n")) {
            if (line.startsWith(series + " ")) {
                return Double.parseDouble(line.substring(series.length() + 1).trim());
            }
        }
        return 0;
    }

    @Test
    void publicReadsCarryCdnHeadersOnMissAndOnHit() {
        long id = newProduct();
        for (int read = 0; read < 2; read++) { // the first loads, the second is an L1 hit
            given().get("/v1/products/" + id).then().statusCode(200)
                    .header("Cache-Control", equalTo(
                            "public, max-age=60, s-maxage=300, stale-while-revalidate=30, stale-if-error=86400"))
                    .header("ETag", equalTo("\"0\""))
                    .header("Last-Modified", notNullValue())
                    .header("Surrogate-Key", equalTo("product-" + id + " products"))
                    .header("Vary", containsString("Accept-Encoding"))
                    .contentType(containsString("application/json"))
                    .body("id", equalTo(Long.toString(id)))
                    .body("$", not(hasKey("stock")));
        }
    }

    @Test
    void aSecondReadIsAnL1HitAndConditionalReadsAre304() {
        long id = newProduct();
        String hits = "million_cache_requests_total{cache=\"product\",outcome=\"hit\",tier=\"l1\"}";
        given().get("/v1/products/" + id).then().statusCode(200);
        double before = metric(hits);
        Response second = given().get("/v1/products/" + id);
        assertEquals(200, second.statusCode());
        assertTrue(metric(hits) > before, "the second read was an L1 hit");
        given().header("If-None-Match", "\"0\"").get("/v1/products/" + id).then().statusCode(304)
                .header("ETag", equalTo("\"0\""));
    }

    /** One representation, one strong ETag: a selection is validated with its own tag only. */
    @Test
    void aFieldsSelectionHasItsOwnEtagAndIsValidatedOnlyByIt() {
        long id = newProduct();
        given().get("/v1/products/" + id).then().statusCode(200).header("ETag", equalTo("\"0\""));
        String selected = given().queryParam("fields", "sku,id").get("/v1/products/" + id).then().statusCode(200)
                .header("ETag", equalTo("\"0+id+sku\"")).extract().header("ETag");
        // The same selection in another order is the same representation.
        given().queryParam("fields", "id,sku").get("/v1/products/" + id).then().statusCode(200)
                .header("ETag", equalTo(selected));
        given().header("If-None-Match", selected).queryParam("fields", "id,sku").get("/v1/products/" + id).then()
                .statusCode(304).header("ETag", equalTo(selected));
        // The full representation's tag does not validate a selection, nor the other way round.
        given().header("If-None-Match", "\"0\"").queryParam("fields", "sku").get("/v1/products/" + id).then()
                .statusCode(200).header("ETag", equalTo("\"0+sku\"")).body("sku", notNullValue());
        given().header("If-None-Match", selected).get("/v1/products/" + id).then().statusCode(200)
                .header("ETag", equalTo("\"0\""));
        given().header("If-None-Match", "\"0\"").get("/v1/products/" + id).then().statusCode(304);
    }

    @Test
    void categoryListingsAreEdgeCacheableUnderTheCategorysSurrogateKey() {
        var body = ProductResourceTest.product(ProductResourceTest.newSku(), "listed");
        body.put("category", "garden-tools");
        ProductResourceTest.create(body);
        given().queryParam("category", "garden-tools").get("/v1/products").then().statusCode(200)
                .header("Cache-Control", equalTo("public, max-age=5, s-maxage=30, stale-while-revalidate=10"))
                .header("Surrogate-Key", equalTo("category-garden-tools"));
        given().queryParam("category", "Home & Garden").get("/v1/products").then().statusCode(200)
                .header("Surrogate-Key", org.hamcrest.Matchers.matchesPattern("category-h[0-9a-f]+"));
    }

    @Test
    void fieldsAndCompressionStillWorkOnCachedProducts() {
        long id = newProduct();
        given().get("/v1/products/" + id).then().statusCode(200);
        given().queryParam("fields", "id,sku").get("/v1/products/" + id).then().statusCode(200)
                .body("$", not(hasKey("name"))).body("id", equalTo(Long.toString(id)));
        given().queryParam("fields", "stock").get("/v1/products/" + id).then().statusCode(400)
                .body("errors[0].field", equalTo("fields"));
    }

    @Test
    void largeCachedProductsAreCompressedOnTheHotPathToo() {
        var body = ProductResourceTest.product(ProductResourceTest.newSku(), "big");
        body.put("description", "stoneware, glazed, dishwasher safe; ".repeat(100));
        long id = ProductResourceTest.create(body);
        var raw = io.restassured.RestAssured.config().decoderConfig(
                io.restassured.config.DecoderConfig.decoderConfig().noContentDecoders());
        for (int read = 0; read < 2; read++) { // a miss through the REST layer, then an L1 hit
            given().config(raw).header("Accept-Encoding", "gzip").get("/v1/products/" + id).then()
                    .statusCode(200).header("Content-Encoding", equalTo("gzip"));
        }
        given().header("Accept-Encoding", "gzip").get("/v1/products/" + id).then().statusCode(200)
                .body("id", equalTo(Long.toString(id)));
    }

    @Test
    void aMissingProductIsA404ProblemAndIsCachedBriefly() {
        given().get("/v1/products/999999999").then().statusCode(404)
                .contentType(containsString("application/problem+json"));
        given().get("/v1/products/999999999").then().statusCode(404);
        assertTrue(redis.key().exists("catalog:product:999999999"), "the 404 is cached (negative entry)");
    }

    @Test
    void theLastGoodRepresentationIsServedWhileTheDatabaseIsDown() throws InterruptedException {
        long id = newProduct();
        String body = given().get("/v1/products/" + id).then().statusCode(200).extract().asString();
        Thread.sleep(2_500); // past the L1 TTL of the test profile
        redis.key().del("catalog:product:" + id); // and gone from L2
        String shard = "catalog_test_" + ShardMap.even(4).shardOfId(id);
        Postgres.stopDatabase(shard);
        try {
            given().get("/v1/products/" + id).then().statusCode(200).body(equalTo(body));
            newProductOnStoppedShard(ShardMap.even(4).shardOfId(id));
        } finally {
            Postgres.startDatabase(shard);
        }
        assertTrue(metric("million_cache_stale_served_total{cache=\"product\"}") >= 1);
    }

    /** A write to the stopped shard is refused (503), never accepted and lost. */
    private static void newProductOnStoppedShard(int shard) {
        String sku;
        do {
            sku = ProductResourceTest.newSku();
        } while (ShardMap.even(4).shardOf(Buckets.of(sku)) != shard);
        given().contentType("application/json").body(ProductResourceTest.product(sku, "down")).post("/v1/products")
                .then().statusCode(503).header("Retry-After", notNullValue());
    }

    static io.million.cache.Representation version(int v) {
        return new io.million.cache.Representation(("{\"v\":" + v + "}").getBytes(), "\"" + v + "\"",
                java.time.Instant.now(), "");
    }

    /** A load reads version 1 and is slow to finish; meanwhile a writer changes the row and invalidates. */
    private java.util.concurrent.CompletableFuture<io.million.cache.Representation> loadOverAnInvalidation(String key) {
        var release = new java.util.concurrent.CompletableFuture<io.million.cache.Representation>();
        var loading = products.get(key, () -> io.smallrye.mutiny.Uni.createFrom().completionStage(release))
                .subscribeAsCompletionStage();
        products.invalidate(key).await().atMost(java.time.Duration.ofSeconds(5));
        release.complete(version(1));
        return loading.toCompletableFuture();
    }

    @Test
    void aLoadThatReadTheOldRowCannotStoreItAfterAnInvalidation() throws Exception {
        String key = "race-" + java.util.UUID.randomUUID();
        var loading = loadOverAnInvalidation(key);
        assertEquals("\"1\"", loading.get(5, java.util.concurrent.TimeUnit.SECONDS).etag(), "the reader still gets its answer");
        assertTrue(!redis.key().exists("catalog:product:" + key), "the old version was not put back into L2");
        assertEquals("\"2\"", products.get(key, () -> io.smallrye.mutiny.Uni.createFrom().item(version(2)))
                .await().atMost(java.time.Duration.ofSeconds(5)).etag(), "the next read loads the new version");
        assertTrue(redis.key().exists("catalog:product:" + key), "and that one is stored");
    }

    @Test
    void aLoadThatStartedBeforeAnInvalidationNeverBecomesTheServeStaleCopy() {
        String key = "stale-" + java.util.UUID.randomUUID();
        loadOverAnInvalidation(key).join();
        // The next load fails (the shard is down): the version read before the write is not served.
        var failed = products.get(key, () -> io.smallrye.mutiny.Uni.createFrom()
                .failure(new IllegalStateException("shard down"))).subscribeAsCompletionStage();
        var thrown = org.junit.jupiter.api.Assertions.assertThrows(java.util.concurrent.CompletionException.class,
                () -> failed.toCompletableFuture().join());
        assertEquals("shard down", thrown.getCause().getMessage());
    }

    @Inject
    io.million.cache.InvalidationBus bus;

    /**
     * The subscription's connection is killed (CLIENT KILL, as a Redis restart or a network cut
     * does): the replica subscribes again, drops what it cached meanwhile (it may have missed an
     * invalidation), and hears invalidations from other replicas again.
     */
    @Test
    void aReplicaThatLostItsSubscriptionListensAgainAndStartsAfresh() {
        String key = "bus-" + java.util.UUID.randomUUID();
        products.get(key, () -> io.smallrye.mutiny.Uni.createFrom().item(version(1))).await().atMost(java.time.Duration.ofSeconds(5));
        assertTrue(products.getIfPresent(key) != null, "cached in L1");
        redis.execute("CLIENT", "KILL", "TYPE", "pubsub");
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(10))
                .until(() -> products.getIfPresent(key) == null && bus.listening());
        products.get(key, () -> io.smallrye.mutiny.Uni.createFrom().item(version(2))).await().atMost(java.time.Duration.ofSeconds(5));
        assertTrue(products.getIfPresent(key) != null, "cached in L1 again");
        // Another replica's write: its invalidation reaches this one over the new subscription.
        redis.pubsub(String.class).publish("catalog:invalidations", "product|" + key);
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(5))
                .until(() -> products.getIfPresent(key) == null);
        assertEquals(1.0, metric("million_cache_invalidations_listening"), "the gauge says it listens");
    }

    @Test
    void anUndecodableL2EntryIsAMiss() {
        long id = newProduct();
        redis.value(byte[].class).set("catalog:product:" + id, new byte[] { 0, 0, 0, 99, 1 });
        given().get("/v1/products/" + id).then().statusCode(200).body("id", equalTo(Long.toString(id)));
    }
}
