package io.million.users;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

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
 * Who may do what on /v1/users: anyone registers; only the user itself (its token's subject) or an
 * operator reads, changes or deletes it; only operators list every user.
 */
@QuarkusTest
class UsersAccessTest extends BearerTokenContract {

    @Override
    protected Response call(RequestSpecification request) {
        return request.get("/v1/users");
    }

    @Override
    protected int allowedStatus() {
        return 200;
    }

    private static String register() {
        return given().contentType(ContentType.JSON)
                .body(Map.of("email", "access-" + UUID.randomUUID() + "@example.com", "name", "Ada"))
                .post("/v1/users").then().statusCode(201).extract().path("id");
    }

    @Test
    void registrationIsAnonymous() {
        register();
    }

    @Test
    void readingAUserIsForItselfOrAnOperator() {
        String id = register();
        String other = register();
        given().get("/v1/users/" + id).then().statusCode(401).header("WWW-Authenticate", containsString("Bearer"));
        given().header("Authorization", Tokens.user(other)).get("/v1/users/" + id).then().statusCode(403)
                .contentType("application/problem+json");
        given().header("Authorization", Tokens.bearer(other, Tokens.CATALOG_ADMIN)).get("/v1/users/" + id).then()
                .statusCode(403);
        java.util.List<String> vary = given().header("Authorization", Tokens.user(id)).get("/v1/users/" + id).then()
                .statusCode(200)
                .body("id", equalTo(id))
                .header("Cache-Control", containsString("private"))
                .header("Cache-Control", containsString("no-cache"))
                .extract().headers().getValues("Vary");
        org.junit.jupiter.api.Assertions.assertTrue(vary.contains("Authorization"), "Vary: " + vary);
        given().header("Authorization", Tokens.operator()).get("/v1/users/" + id).then().statusCode(200);
    }

    @Test
    void changingAUserIsForItselfOrAnOperator() {
        String id = register();
        String other = register();
        String patch = "{\"name\":\"Grace\"}";
        given().contentType(UserResourceTest.MERGE_PATCH).body(patch).patch("/v1/users/" + id).then().statusCode(401);
        given().header("Authorization", Tokens.user(other)).contentType(UserResourceTest.MERGE_PATCH).body(patch)
                .patch("/v1/users/" + id).then().statusCode(403);
        given().header("Authorization", Tokens.user(id)).contentType(UserResourceTest.MERGE_PATCH).body(patch)
                .patch("/v1/users/" + id).then().statusCode(200).body("name", equalTo("Grace"));
        given().header("Authorization", Tokens.operator()).contentType(UserResourceTest.MERGE_PATCH)
                .body("{\"name\":\"Ada\"}").patch("/v1/users/" + id).then().statusCode(200);
    }

    @Test
    void deletingAUserIsForItselfOrAnOperator() {
        String id = register();
        String other = register();
        given().delete("/v1/users/" + id).then().statusCode(401);
        given().header("Authorization", Tokens.user(other)).delete("/v1/users/" + id).then().statusCode(403);
        given().header("Authorization", Tokens.user(id)).delete("/v1/users/" + id).then().statusCode(204);
        given().header("Authorization", Tokens.operator()).delete("/v1/users/" + other).then().statusCode(204);
    }

    @Test
    void listingEveryUserIsForOperators() {
        String id = register();
        given().header("Authorization", Tokens.user(id)).get("/v1/users").then().statusCode(403);
        given().header("Authorization", Tokens.bearer(id, Tokens.CATALOG_ADMIN)).get("/v1/users").then()
                .statusCode(403);
    }
}
