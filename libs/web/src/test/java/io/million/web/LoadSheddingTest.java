package io.million.web;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;

import org.junit.jupiter.api.Test;

import io.million.testing.Concurrently;
import io.quarkus.test.junit.QuarkusTest;

/** The adaptive concurrency limit, fixed at 10 for this test application (src/test/resources). */
@QuarkusTest
class LoadSheddingTest {

    @jakarta.inject.Inject
    io.micrometer.core.instrument.MeterRegistry meters;

    @Test
    void requestsAboveTheLimitGetAFast503AndTheRestAreServed() {
        Map<Integer, Integer> statuses = Concurrently.statuses(20, () -> given().get("/widgets/slow/1").statusCode());
        assertEquals(20, statuses.values().stream().mapToInt(Integer::intValue).sum());
        assertTrue(statuses.getOrDefault(200, 0) >= 1 && statuses.getOrDefault(200, 0) <= 10,
                "at most the limit is admitted: " + statuses);
        assertEquals(20 - statuses.getOrDefault(200, 0), statuses.getOrDefault(503, 0), "the rest are shed: " + statuses);
        // Once the admitted ones finish, capacity is back.
        given().get("/widgets/1").then().statusCode(200);
    }

    @Test
    void aShedRequestIsAProblemWithRetryAfterAndCounted() throws Exception {
        var holders = java.util.concurrent.Executors.newFixedThreadPool(14);
        try {
            var held = new java.util.ArrayList<java.util.concurrent.Future<Integer>>();
            for (int i = 0; i < 14; i++) {
                held.add(holders.submit(() -> given().get("/widgets/slow/2").statusCode()));
            }
            // While the limit is full, a new request is refused with a problem, at once.
            var refused = new java.util.concurrent.atomic.AtomicReference<io.restassured.response.Response>();
            org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(5)).until(() -> {
                var response = given().get("/widgets/3");
                refused.set(response);
                return response.statusCode() == 503;
            });
            refused.get().then().statusCode(503)
                    .contentType(org.hamcrest.Matchers.startsWith("application/problem+json"))
                    .header("Retry-After", "1")
                    .body("status", org.hamcrest.Matchers.equalTo(503))
                    .body("title", org.hamcrest.Matchers.equalTo("Service Unavailable"))
                    .body("detail", org.hamcrest.Matchers.containsString("concurrency limit"))
                    .body("instance", org.hamcrest.Matchers.equalTo("/widgets/3"));
            for (var future : held) {
                future.get(10, java.util.concurrent.TimeUnit.SECONDS);
            }
        } finally {
            holders.shutdownNow();
        }
        assertTrue(meters.counter("million.http.shed", "priority", "cheap").count() >= 1, "shed requests are counted");
        assertEquals(10.0, meters.get("million.http.concurrency.limit").tag("priority", "cheap").gauge().value(), "the limit is published");
    }

    @Test
    void aRequestThatWaitsPastTheQueueTimeoutIsRefused() throws Exception {
        io.million.web.testapp.WidgetResource.gate = new java.util.concurrent.CompletableFuture<>();
        var holders = java.util.concurrent.Executors.newFixedThreadPool(10);
        try {
            var held = new java.util.ArrayList<java.util.concurrent.Future<Integer>>();
            for (int i = 0; i < 10; i++) {
                held.add(holders.submit(() -> given().get("/widgets/held/1").statusCode()));
            }
            org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(10))
                    .until(() -> meters.get("million.http.inflight").gauge().value() == 10);
            // No slot frees (the gate stays closed): after the queue timeout (0.5 s here), a 503 problem.
            given().get("/widgets/4").then().statusCode(503)
                    .contentType(org.hamcrest.Matchers.startsWith("application/problem+json"))
                    .body("instance", org.hamcrest.Matchers.equalTo("/widgets/4"));
            assertEquals(0.0, meters.get("million.http.waiting").gauge().value(), "it no longer waits");
            io.million.web.testapp.WidgetResource.gate.complete(null);
            for (var future : held) {
                assertEquals(200, future.get(10, java.util.concurrent.TimeUnit.SECONDS));
            }
        } finally {
            io.million.web.testapp.WidgetResource.gate.complete(null);
            holders.shutdownNow();
        }
    }
}
