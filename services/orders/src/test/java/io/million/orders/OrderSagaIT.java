package io.million.orders;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.million.sharding.ShardMap;
import io.million.testing.KafkaProbe;
import io.million.testing.LocalStack;
import io.million.testing.PageWalker;
import io.million.testing.Postgres;
import io.million.testing.Replica;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;

/**
 * The saga end to end: users, catalog and orders from their packaged jars (test profile: test
 * databases, test Redis, test.* topics), with tracing on, over the real PostgreSQL, Redis and
 * Kafka of the local stack. Orders go PENDING -> CONFIRMED or REJECTED through Kafka only.
 */
class OrderSagaIT {

    /** Routes here need a token: these tests act as an operator (access rules: *AccessTest). */
    @org.junit.jupiter.api.BeforeEach
    void asOperator() {
        io.million.testing.Tokens.asOperator();
    }

    private static final Duration FINAL_WITHIN = Duration.ofSeconds(90);
    private static final Map<String, String> TEST_PROFILE = Map.of(
            "quarkus.profile", "test",
            "quarkus.otel.sdk.disabled", "false",
            "quarkus.otel.traces.exporter", "none");

    private static final int KAFKA_PORT = Integer.parseInt(System.getenv().getOrDefault("MILLION_KAFKA_PORT", "9092"));

    private static Replica users;
    private static Replica catalog;
    private static Replica orders;

    @BeforeAll
    static void start() {
        users = Replica.start(Path.of("../users"), 18381, TEST_PROFILE);
        catalog = Replica.start(Path.of("../catalog"), 18382, TEST_PROFILE);
        orders = Replica.start(18383, TEST_PROFILE);
    }

    @AfterAll
    static void stop() {
        for (Replica replica : new Replica[] { orders, catalog, users }) {
            if (replica != null) {
                replica.close();
            }
        }
    }

    @Test
    void anOrderIsConfirmedReservesItsStockAndCountsForItsUser() {
        String user = createUser();
        String product = createProduct(5);
        String order = place(user, Map.of(product, 2));
        JsonPath done = awaitFinal(order, FINAL_WITHIN);
        assertEquals("CONFIRMED", done.getString("status"));
        assertStock(product, 3, 2);
        awaitOrderCount(user, 1);
    }

    @Test
    void unknownUsersAndProductsEndRejectedAndGiveStockBack() {
        String product = createProduct(5);
        String strangersOrder = place(Long.toString(Math.abs(UUID.randomUUID().getMostSignificantBits() >> 2)),
                Map.of(product, 1));
        JsonPath stranger = awaitFinal(strangersOrder, FINAL_WITHIN);
        assertEquals("REJECTED", stranger.getString("status"));
        assertEquals("UNKNOWN_USER", stranger.getString("rejectReason"));
        awaitStock(product, 5, 0); // held for a moment perhaps, then released on order.rejected

        String ghostsOrder = place(createUser(), Map.of("118000000000000001", 1));
        JsonPath ghost = awaitFinal(ghostsOrder, FINAL_WITHIN);
        assertEquals("REJECTED", ghost.getString("status"));
        assertEquals("UNKNOWN_PRODUCT", ghost.getString("rejectReason"));
    }

    @Test
    void fiftyConcurrentOrdersForTenUnitsConfirmTenAndNeverOversell() throws Exception {
        String product = createProduct(10);
        List<String> buyers = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            buyers.add(createUser());
        }
        ExecutorService pool = Executors.newFixedThreadPool(50);
        try {
            List<Future<String>> placed = new ArrayList<>();
            for (String buyer : buyers) {
                placed.add(pool.submit(() -> place(buyer, Map.of(product, 1))));
            }
            Map<String, Integer> outcomes = new HashMap<>();
            for (Future<String> order : placed) {
                JsonPath done = awaitFinal(order.get(60, TimeUnit.SECONDS), FINAL_WITHIN);
                String outcome = done.getString("status")
                        + (done.getString("rejectReason") == null ? "" : " " + done.getString("rejectReason"));
                outcomes.merge(outcome, 1, Integer::sum);
            }
            assertEquals(Map.of("CONFIRMED", 10, "REJECTED OUT_OF_STOCK", 40), outcomes);
        } finally {
            pool.shutdownNow();
        }
        assertStock(product, 0, 10);
        // The ten units are sold: order.confirmed clears their holds; the rejected held nothing.
        awaitHolds(product, "0");
    }

    /** Waits (bounded) until the product's holds add up to {@code quantity}. */
    private static void awaitHolds(String product, String quantity) {
        String shard = Integer.toString(ShardMap.even(4).shardOfId(Long.parseLong(product)));
        String query = "select coalesce(sum(quantity), 0) from stock_holds where product_id = " + product;
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (!quantity.equals(Postgres.sql("catalog_test_" + shard, query)) && System.nanoTime() < deadline) {
            pause(100);
        }
        assertEquals(quantity, Postgres.sql("catalog_test_" + shard, query), "holds of " + product);
    }

    @Test
    void anOrderAcrossCatalogShardsHoldsAllOfItsLinesOrNone() {
        String plenty = createProduct(5);
        String scarce = createProductOnAnotherShardThan(plenty, 1);
        String tooMuch = place(createUser(), Map.of(plenty, 2, scarce, 2));
        JsonPath refused = awaitFinal(tooMuch, FINAL_WITHIN);
        assertEquals("REJECTED", refused.getString("status"));
        assertEquals("OUT_OF_STOCK", refused.getString("rejectReason"));
        awaitStock(plenty, 5, 0);
        assertStock(scarce, 1, 0);

        String fits = place(createUser(), Map.of(plenty, 2, scarce, 1));
        assertEquals("CONFIRMED", awaitFinal(fits, FINAL_WITHIN).getString("status"));
        assertStock(plenty, 3, 2);
        assertStock(scarce, 0, 1);
    }

    @Test
    void ordersPlacedWhileKafkaIsDownAllReachAFinalStateOnceEach() throws Exception {
        List<String> buyers = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            buyers.add(createUser());
        }
        String product = createProduct(1000);
        List<String> placed = new ArrayList<>();
        LocalStack.run("kafka", "stop");
        try {
            assertFalse(LocalStack.isOpen(KAFKA_PORT), "the broker is down during the test");
            for (int i = 0; i < 200; i++) {
                placed.add(place(buyers.get(i % buyers.size()), Map.of(product, 1)));
            }
        } finally {
            LocalStack.run("kafka", "start");
        }
        assertEquals(200, new HashSet<>(placed).size());
        for (String order : placed) {
            assertEquals("CONFIRMED", awaitFinal(order, Duration.ofSeconds(180)).getString("status"), order);
        }
        for (String buyer : buyers) {
            assertEquals(20, PageWalker.ids(orders.baseUrl() + "/v1/orders", Map.of("userId", buyer), 100).size(),
                    "one order per POST, none duplicated");
            awaitOrderCount(buyer, 20);
        }
        assertStock(product, 800, 200);
    }

    @Test
    void aPoisonEventIsDeadLetteredAndLaterEventsAreProcessed() {
        String key = "poison-" + UUID.randomUUID();
        KafkaProbe.send("test.orders.events", key, "{not json",
                Map.of("event-id", UUID.randomUUID().toString(), "event-type", "order.placed"));
        String order = place(createUser(), Map.of(createProduct(1), 1));
        assertEquals("CONFIRMED", awaitFinal(order, FINAL_WITHIN).getString("status"));
        var dead = KafkaProbe.awaitRecord("test.catalog.dlq", key, "{not json", Duration.ofSeconds(60))
                .orElseThrow(() -> new AssertionError("the poison event is not in test.catalog.dlq"));
        String reason = KafkaProbe.header(dead, "dead-letter-reason");
        assertNotNull(reason, "the dead letter says why");
        assertTrue(reason.contains("not a readable"), reason);
        assertEquals("test.orders.events", KafkaProbe.header(dead, "dead-letter-topic"));
    }

    @Test
    void oneTraceGoesFromThePostThroughKafkaToTheCatalogsAnswer() {
        String order = place(createUser(), Map.of(createProduct(1), 1));
        awaitFinal(order, FINAL_WITHIN);
        var placed = KafkaProbe.awaitRecord("test.orders.events", order, order, Duration.ofSeconds(30)).orElseThrow();
        var answer = KafkaProbe.awaitRecord("test.catalog.events", order, order, Duration.ofSeconds(30)).orElseThrow();
        String posted = KafkaProbe.header(placed, "traceparent");
        String answered = KafkaProbe.header(answer, "traceparent");
        assertNotNull(posted, "order.placed carries the POST's trace");
        assertNotNull(answered, "stock.reserved carries the trace on");
        assertEquals(posted.split("-")[1], answered.split("-")[1], "one trace id from POST to the catalog's answer");
        assertNotEquals(posted.split("-")[2], answered.split("-")[2], "each hop is a span of its own");
    }

    @Test
    void withTheCatalogStoppedOrdersTimeOutAndItsReturnChangesNoStock() {
        String product = createProduct(5);
        String user = createUser();
        String since = Postgres.sql("postgres", "select now()");
        catalog.close();
        // A second orders replica with a short deadline settles them; the class's replica keeps 30 s.
        Map<String, String> hurried = new HashMap<>(TEST_PROFILE);
        hurried.put("million.orders.deadline", "PT3S");
        hurried.put("million.orders.deadline-check", "PT0.5S");
        Replica sweeper = Replica.start(18384, hurried);
        try {
            List<String> placed = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                placed.add(place(user, Map.of(product, 1)));
            }
            for (String order : placed) {
                JsonPath done = awaitFinal(order, Duration.ofSeconds(30));
                assertEquals("REJECTED", done.getString("status"), order);
                assertEquals("TIMEOUT", done.getString("rejectReason"), order);
            }
        } finally {
            sweeper.close();
            catalog = Replica.start(Path.of("../catalog"), 18382, TEST_PROFILE);
        }
        // Back, the catalog reads each order.placed, then its order.rejected: held, then given back.
        String shard = Integer.toString(ShardMap.even(4).shardOfId(Long.parseLong(product)));
        String processed = "select count(*) from processed_events where consumer = 'catalog-stock' and processed_at > '"
                + since + "'";
        long deadline = System.nanoTime() + FINAL_WITHIN.toNanos();
        while (Integer.parseInt(Postgres.sql("catalog_test_" + shard, processed)) < 6 && System.nanoTime() < deadline) {
            pause(200);
        }
        assertTrue(Integer.parseInt(Postgres.sql("catalog_test_" + shard, processed)) >= 6,
                "the catalog applied the three placements and the three rejections");
        assertStock(product, 5, 0);
        awaitHolds(product, "0");
    }

    @Test
    void aCatalogShardDownFor20SecondsLosesNoOrderAndNoUnit() {
        String product = createProduct(100);
        List<String> buyers = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            buyers.add(createUser());
        }
        String elsewhere = createProductOnAnotherShardThan(product, 10);
        double deadBefore = deadLettered(catalog);
        String database = "catalog_test_" + ShardMap.even(4).shardOfId(Long.parseLong(product));
        List<String> placed = new ArrayList<>();
        Postgres.stopDatabase(database);
        try {
            long until = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            for (int i = 0; i < 50; i++) {
                placed.add(place(buyers.get(i % buyers.size()), Map.of(product, 1)));
            }
            // The dead shard's events are parked on the retry topic: the partitions go on for the others.
            pause(6000);
            String healthy = place(buyers.get(0), Map.of(elsewhere, 1));
            JsonPath done = awaitFinal(healthy, Duration.ofNanos(Math.max(until - System.nanoTime(), 1_000_000_000L)));
            assertEquals("CONFIRMED", done.getString("status"), "an order on a healthy shard, during the outage");
            assertTrue(System.nanoTime() < until, "confirmed while the other shard was still down");
            while (System.nanoTime() < until) {
                pause(200);
            }
        } finally {
            Postgres.startDatabase(database);
        }
        int confirmed = 0;
        for (String order : placed) {
            JsonPath done = awaitFinal(order, Duration.ofSeconds(60));
            confirmed += "CONFIRMED".equals(done.getString("status")) ? 1 : 0;
        }
        // Orders past their 30 s deadline may have timed out; either way no unit is lost or kept.
        awaitStock(product, 100 - confirmed, confirmed);
        awaitHolds(product, "0");
        assertEquals(deadBefore, deadLettered(catalog), "nothing was dead-lettered");
    }

    @Test
    void anOrdersShardDownFor20SecondsLosesNoAnswer() {
        String product = createProduct(100);
        List<String> buyers = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            buyers.add(createUser());
        }
        String first = buyers.get(0);
        String database = "orders_test_" + ShardMap.even(4).shardOf(io.million.sharding.Buckets.of(Long.parseLong(first)));
        double deadBefore = deadLettered(orders);
        // Placed just before the outage: their answers reach the orders service while the shard is down.
        List<String> placed = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            placed.add(place(first, Map.of(product, 1)));
        }
        Postgres.stopDatabase(database);
        int refused = 0;
        try {
            long until = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            for (int i = 0; i < 40; i++) {
                String buyer = buyers.get(i % buyers.size());
                var answer = given().baseUri(orders.baseUrl()).contentType(ContentType.JSON)
                        .header("Idempotency-Key", UUID.randomUUID().toString())
                        .body(Map.of("userId", buyer, "items", List.of(Map.of("productId", product, "quantity", 1))))
                        .post("/v1/orders").then().extract();
                if (answer.statusCode() == 202) {
                    placed.add(answer.jsonPath().getString("id"));
                } else {
                    assertEquals(503, answer.statusCode(), "an order for the shard that is down is refused, not lost");
                    refused++;
                }
            }
            while (System.nanoTime() < until) {
                pause(200);
            }
        } finally {
            Postgres.startDatabase(database);
        }
        assertTrue(refused > 0, "orders for the shard that was down were refused");
        int confirmed = 0;
        for (String order : placed) {
            JsonPath done = awaitFinal(order, Duration.ofSeconds(60));
            confirmed += "CONFIRMED".equals(done.getString("status")) ? 1 : 0;
        }
        awaitStock(product, 100 - confirmed, confirmed);
        awaitHolds(product, "0");
        assertEquals(deadBefore, deadLettered(orders), "nothing was dead-lettered");
    }

    @Test
    void aDeadLetterIsListedAndReplayedOnce() {
        String user = createUser();
        String eventId = UUID.randomUUID().toString();
        String order = Long.toString(Math.abs(UUID.randomUUID().getMostSignificantBits() >> 12));
        // An order.confirmed that an outage once sent to the users' dead letters.
        KafkaProbe.send("test.users.dlq", order, "{\"orderId\":\"" + order + "\",\"userId\":\"" + user + "\"}",
                Map.of("event-id", eventId, "event-type", "order.confirmed", "dead-letter-topic", "test.orders.events",
                        "dead-letter-reason", "still failing after PT5M of retries: shard 2 unavailable",
                        "dead-letter-consumer", "users-orders"));
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        List<String> listed = List.of();
        while (!listed.contains(eventId) && System.nanoTime() < deadline) {
            listed = given().baseUri(users.managementUrl()).get("/admin/dlq?limit=1000").then().statusCode(200)
                    .extract().jsonPath().getList("letters.eventId", String.class);
            pause(200);
        }
        assertTrue(listed.contains(eventId), "GET /admin/dlq lists the letter");
        int replayed = given().baseUri(users.managementUrl()).post("/admin/dlq/replay").then().statusCode(200)
                .extract().jsonPath().getInt("replayed");
        assertTrue(replayed >= 1, "replayed " + replayed);
        awaitOrderCount(user, 1);
        // A second replay finds nothing new; the count stays.
        given().baseUri(users.managementUrl()).post("/admin/dlq/replay").then().statusCode(200);
        assertFalse(given().baseUri(users.managementUrl()).get("/admin/dlq").then().statusCode(200).extract()
                .jsonPath().getList("letters.eventId", String.class).contains(eventId), "replayed once");
        pause(2000);
        awaitOrderCount(user, 1);
    }

    /** A replica's count of dead-lettered events, from its metrics. */
    private static double deadLettered(Replica replica) {
        String metrics = given().baseUri(replica.managementUrl()).get("/q/metrics").then().statusCode(200)
                .extract().asString();
        double total = 0;
        for (String line : metrics.split("\n")) {
            if (line.startsWith("million_events_consumed_total") && line.contains("outcome=\"dead_lettered\"")) {
                total += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        return total;
    }

    // ------------------------------------------------------------------ helpers

    private static String createUser() {
        return given().baseUri(users.baseUrl()).contentType(ContentType.JSON)
                .body(Map.of("email", "saga-" + UUID.randomUUID() + "@example.com", "name", "Saga Test"))
                .post("/v1/users").then().statusCode(201).extract().jsonPath().getString("id");
    }

    private static String createProduct(int stock) {
        return given().baseUri(catalog.baseUrl()).contentType(ContentType.JSON)
                .body(Map.of("sku", "SAGA-" + UUID.randomUUID(), "name", "Saga product", "category", "saga-it",
                        "priceCents", 100, "currency", "EUR", "stock", stock))
                .post("/v1/products").then().statusCode(201).extract().jsonPath().getString("id");
    }

    private static String createProductOnAnotherShardThan(String other, int stock) {
        ShardMap map = ShardMap.even(4);
        for (int attempt = 0; attempt < 40; attempt++) {
            String product = createProduct(stock);
            if (map.shardOfId(Long.parseLong(product)) != map.shardOfId(Long.parseLong(other))) {
                return product;
            }
        }
        throw new AssertionError("40 products in a row on one shard out of four");
    }

    private static String place(String user, Map<String, Integer> lines) {
        List<Map<String, Object>> items = new ArrayList<>();
        lines.forEach((product, quantity) -> items.add(Map.of("productId", product, "quantity", quantity)));
        return given().baseUri(orders.baseUrl()).contentType(ContentType.JSON)
                .header("Idempotency-Key", UUID.randomUUID().toString())
                .body(Map.of("userId", user, "items", items))
                .post("/v1/orders").then().statusCode(202).extract().jsonPath().getString("id");
    }

    /** Polls the order until it is no longer PENDING; bounded by {@code within}. */
    private static JsonPath awaitFinal(String order, Duration within) {
        long deadline = System.nanoTime() + within.toNanos();
        while (true) {
            JsonPath view = given().baseUri(orders.baseUrl()).get("/v1/orders/" + order).then().statusCode(200)
                    .extract().jsonPath();
            if (!"PENDING".equals(view.getString("status"))) {
                return view;
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("order " + order + " still PENDING after " + within);
            }
            pause(100);
        }
    }

    private static JsonPath stock(String product) {
        return given().baseUri(catalog.baseUrl()).get("/v1/products/" + product + "/stock").then().statusCode(200)
                .extract().jsonPath();
    }

    private static void assertStock(String product, int available, int reserved) {
        JsonPath stock = stock(product);
        assertEquals(List.of(available, reserved), List.of(stock.getInt("available"), stock.getInt("reserved")),
                "stock of " + product + " as [available, reserved]");
    }

    private static void awaitStock(String product, int available, int reserved) {
        long deadline = System.nanoTime() + FINAL_WITHIN.toNanos();
        while (System.nanoTime() < deadline) {
            JsonPath stock = stock(product);
            if (stock.getInt("available") == available && stock.getInt("reserved") == reserved) {
                return;
            }
            pause(100);
        }
        assertStock(product, available, reserved);
    }

    private static void awaitOrderCount(String user, int count) {
        long deadline = System.nanoTime() + FINAL_WITHIN.toNanos();
        int seen = -1;
        while (System.nanoTime() < deadline) {
            seen = given().baseUri(users.baseUrl()).get("/v1/users/" + user).then().statusCode(200).extract()
                    .jsonPath().getInt("orderCount");
            if (seen == count) {
                return;
            }
            pause(100);
        }
        assertEquals(count, seen, "orderCount of user " + user);
    }

    private static void pause(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }
}
