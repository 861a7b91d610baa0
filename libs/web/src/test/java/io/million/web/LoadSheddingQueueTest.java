package io.million.web;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import jakarta.inject.Inject;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.micrometer.core.instrument.MeterRegistry;
import io.million.web.testapp.WidgetResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.response.Response;

/**
 * The wait queue ahead of the refusal (libs/web Admission), with a limit of 10 per priority (cheap
 * reads of one resource; writes and listings), room for 2 waiting and a wait long enough that only the test
 * decides when a slot frees.
 */
@QuarkusTest
@TestProfile(LoadSheddingQueueTest.LongWait.class)
class LoadSheddingQueueTest {

    public static class LongWait implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("million.web.shedding.queue", "2", "million.web.shedding.queue-timeout", "PT30S");
        }
    }

    @Inject
    MeterRegistry meters;

    private final ExecutorService clients = Executors.newFixedThreadPool(24);

    @BeforeEach
    void closeTheGate() {
        WidgetResource.gate = new CompletableFuture<>();
    }

    @AfterEach
    void openTheGate() {
        WidgetResource.gate.complete(null);
        clients.shutdownNow();
    }

    @Test
    void requestsAboveTheLimitWaitForASlotBodyIntactThenAFullQueueRefusesAtOnce() throws Exception {
        // Both priorities' limits full: 10 reads of one resource (cheap) and 10 writes (costly).
        List<Future<Response>> holders = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            holders.add(clients.submit(() -> given().get("/widgets/held/1")));
        }
        for (int i = 0; i < 10; i++) {
            holders.add(clients.submit(() -> given().contentType("application/json")
                    .body("{\"name\":\"holder\",\"size\":1}").post("/widgets/held")));
        }
        awaitGauge("million.http.inflight", 20);

        // Two wait: a write whose body must reach its handler whole once it runs, and a read.
        Future<Response> write = clients.submit(() -> given().contentType("application/json")
                .body("{\"name\":\"waited\",\"size\":3}").post("/widgets"));
        awaitGauge("million.http.waiting", 1);
        Future<Response> read = clients.submit(() -> given().get("/widgets/7"));
        awaitGauge("million.http.waiting", 2);

        // The queue is full: the next one is refused at once, a problem with Retry-After.
        double shedBefore = shed();
        given().get("/widgets/8").then().statusCode(503)
                .contentType(startsWith("application/problem+json"))
                .header("Retry-After", "1")
                .body("instance", equalTo("/widgets/8"));
        assertEquals(shedBefore + 1, shed(), "the refusal is counted");
        assertEquals(2.0, gauge("million.http.waiting"), "the waiting requests are still waiting");

        WidgetResource.gate.complete(null);
        write.get(10, TimeUnit.SECONDS).then().statusCode(201).body("name", equalTo("waited"));
        read.get(10, TimeUnit.SECONDS).then().statusCode(200).body("id", equalTo(7));
        for (Future<Response> holder : holders) {
            holder.get(10, TimeUnit.SECONDS).then().statusCode(200);
        }
        awaitGauge("million.http.waiting", 0);
        awaitGauge("million.http.inflight", 0);
    }

    private void awaitGauge(String name, double value) {
        Awaitility.await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(10))
                .until(() -> gauge(name) == value);
    }

    private double gauge(String name) {
        return meters.get(name).gauge().value();
    }

    private double shed() {
        return meters.find("million.http.shed").counters().stream().mapToDouble(c -> c.count()).sum();
    }
}
