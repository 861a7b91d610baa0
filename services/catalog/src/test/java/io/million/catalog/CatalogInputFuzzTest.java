package io.million.catalog;

import java.util.List;

import io.million.testing.InputFuzzContract;
import io.quarkus.test.junit.QuarkusTest;

/** Hostile input at every catalog route: never a 5xx, every error a problem. */
@QuarkusTest
class CatalogInputFuzzTest extends InputFuzzContract {

    @Override
    protected List<Route> routes() {
        return List.of(
                Route.post("/v1/products", "sku", "name", "description", "category", "priceCents", "currency", "stock"),
                Route.get("/v1/products/{id}"), Route.get("/v1/products/{id}/stock"),
                Route.patch("/v1/products/{id}", "name", "description", "category", "priceCents", "currency", "sku"),
                Route.delete("/v1/products/{id}"), Route.get("/v1/products"));
    }

    @Override
    protected List<String> queryParameters() {
        return List.of("category", "limit", "cursor");
    }

    @Override
    protected String storedRows() {
        // A product's version moves with every change of it; its stock row is created with it.
        return "select (select count(*) from products), (select coalesce(sum(version), 0) from products), "
                + "(select count(*) from product_stock)";
    }
}
