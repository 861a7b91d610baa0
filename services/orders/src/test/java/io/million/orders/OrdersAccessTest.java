package io.million.orders;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;

import java.util.List;
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
 * Who may do what on /v1/orders: a user places orders only for itself and reads and lists only its
 * own; an operator may do all of it for anyone.
 */
@QuarkusTest
class OrdersAccessTest extends BearerTokenContract {

    private static final String ALICE = "1001";
    private static final String BOB = "1002";

    @Override
    protected Response call(RequestSpecification request) {
        return request.queryParam("userId", ALICE).get("/v1/orders");
    }

    @Override
    protected int allowedStatus() {
        return 200;
    }

    private static RequestSpecification order(String userId) {
        return given().contentType(ContentType.JSON).header("Idempotency-Key", UUID.randomUUID().toString())
                .body(Map.of("userId", userId, "items", List.of(Map.of("productId", "42", "quantity", 1))));
    }

    @Test
    void aUserPlacesOrdersOnlyForItself() {
        order(ALICE).post("/v1/orders").then().statusCode(401).header("WWW-Authenticate", containsString("Bearer"));
        order(ALICE).header("Authorization", Tokens.user(BOB)).post("/v1/orders").then().statusCode(403)
                .contentType("application/problem+json");
        order(ALICE).header("Authorization", Tokens.user(ALICE)).post("/v1/orders").then().statusCode(202);
        order(BOB).header("Authorization", Tokens.operator()).post("/v1/orders").then().statusCode(202);
    }

    @Test
    void aUserReadsAndListsOnlyItsOwnOrders() {
        String id = order(ALICE).header("Authorization", Tokens.user(ALICE)).post("/v1/orders").then()
                .statusCode(202).extract().path("id");
        given().get("/v1/orders/" + id).then().statusCode(401);
        given().header("Authorization", Tokens.user(BOB)).get("/v1/orders/" + id).then().statusCode(403);
        java.util.List<String> vary = given().header("Authorization", Tokens.user(ALICE)).get("/v1/orders/" + id)
                .then().statusCode(200)
                .header("Cache-Control", containsString("private")).header("Cache-Control", containsString("no-cache"))
                .extract().headers().getValues("Vary");
        org.junit.jupiter.api.Assertions.assertTrue(vary.contains("Authorization"), "Vary: " + vary);
        given().header("Authorization", Tokens.operator()).get("/v1/orders/" + id).then().statusCode(200);
        given().header("Authorization", Tokens.user(BOB)).queryParam("userId", ALICE).get("/v1/orders").then()
                .statusCode(403);
        given().header("Authorization", Tokens.user(ALICE)).queryParam("userId", ALICE).get("/v1/orders").then()
                .statusCode(200);
    }
}
