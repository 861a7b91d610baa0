package io.million.catalog;

import static io.restassured.RestAssured.given;

import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import io.million.testing.BearerTokenContract;
import io.million.testing.Tokens;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;

/**
 * Who may do what on /v1/products: anyone reads (a token is not even looked at); only the
 * catalog-admin role or an operator creates, changes or deletes.
 */
@QuarkusTest
class CatalogAccessTest extends BearerTokenContract {

    private static Map<String, Object> product() {
        return Map.of("sku", "ACCESS-" + UUID.randomUUID(), "name", "Lamp", "category", "access",
                "priceCents", 1999, "currency", "EUR", "stock", 5);
    }

    @Override
    protected Response call(RequestSpecification request) {
        return request.contentType(ContentType.JSON).body(product()).post("/v1/products");
    }

    @Override
    protected int allowedStatus() {
        return 201;
    }

    private static String create(String authorization) {
        return given().header("Authorization", authorization).contentType(ContentType.JSON).body(product())
                .post("/v1/products").then().statusCode(201).extract().path("id");
    }

    @Test
    void readsAreAnonymousAndIgnoreTokens() {
        String id = create(Tokens.bearer("1", Tokens.CATALOG_ADMIN));
        given().get("/v1/products/" + id).then().statusCode(200);
        given().get("/v1/products/" + id + "?fields=id").then().statusCode(200);
        given().get("/v1/products/" + id + "/stock").then().statusCode(200);
        given().queryParam("category", "access").get("/v1/products").then().statusCode(200);
        given().header("Authorization", "Bearer not-a-token").get("/v1/products/" + id + "?fields=id").then()
                .statusCode(200);
    }

    @Test
    void writesNeedTheCatalogAdminRole() {
        given().header("Authorization", Tokens.user("1")).contentType(ContentType.JSON).body(product())
                .post("/v1/products").then().statusCode(403).contentType("application/problem+json");
        String id = create(Tokens.bearer("7", Tokens.CATALOG_ADMIN));
        String patch = "{\"priceCents\":1}";
        given().contentType("application/merge-patch+json").body(patch).patch("/v1/products/" + id).then()
                .statusCode(401);
        given().header("Authorization", Tokens.user("1")).contentType("application/merge-patch+json").body(patch)
                .patch("/v1/products/" + id).then().statusCode(403);
        given().header("Authorization", Tokens.bearer("7", Tokens.CATALOG_ADMIN))
                .contentType("application/merge-patch+json").body(patch).patch("/v1/products/" + id).then()
                .statusCode(200);
        given().delete("/v1/products/" + id).then().statusCode(401);
        given().header("Authorization", Tokens.user("1")).delete("/v1/products/" + id).then().statusCode(403);
        given().header("Authorization", Tokens.bearer("7", Tokens.CATALOG_ADMIN)).delete("/v1/products/" + id)
                .then().statusCode(204);
        String again = create(Tokens.operator());
        given().header("Authorization", Tokens.operator()).delete("/v1/products/" + again).then().statusCode(204);
    }
}
