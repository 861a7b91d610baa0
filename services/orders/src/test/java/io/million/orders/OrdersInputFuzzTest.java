package io.million.orders;

import java.util.List;

import io.million.testing.InputFuzzContract;
import io.quarkus.test.junit.QuarkusTest;

/** Hostile input at every orders route: never a 5xx, every error a problem. */
@QuarkusTest
class OrdersInputFuzzTest extends InputFuzzContract {

    @Override
    protected List<Route> routes() {
        return List.of(Route.post("/v1/orders", "userId", "items"), Route.get("/v1/orders/{id}"),
                Route.get("/v1/orders"));
    }

    @Override
    protected List<String> queryParameters() {
        return List.of("userId", "limit", "cursor");
    }

    @Override
    protected List<String> headers() {
        return List.of("Idempotency-Key");
    }

    @Override
    protected String storedRows() {
        // Orders are created by request only (the saga and the deadlines change their status).
        return "select count(*) from orders";
    }
}
