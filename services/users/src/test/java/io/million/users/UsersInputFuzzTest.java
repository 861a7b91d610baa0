package io.million.users;

import java.util.List;

import io.million.testing.InputFuzzContract;
import io.quarkus.test.junit.QuarkusTest;

/** Hostile input at every users route: never a 5xx, every error a problem. */
@QuarkusTest
class UsersInputFuzzTest extends InputFuzzContract {

    @Override
    protected List<Route> routes() {
        return List.of(Route.post("/v1/users", "email", "name"), Route.get("/v1/users/{id}"),
                Route.patch("/v1/users/{id}", "name", "email"), Route.delete("/v1/users/{id}"),
                Route.get("/v1/users"));
    }

    @Override
    protected List<String> queryParameters() {
        return List.of("limit", "cursor");
    }

    @Override
    protected String storedRows() {
        // Emails and names change only by request; the order count (and version) also by Kafka events.
        return "select count(*), coalesce(md5(string_agg(email || '|' || name, ',' order by id)), '') from users";
    }
}
