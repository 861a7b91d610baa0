package io.million.web;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.startsWith;

import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;

@QuarkusTest
class ProblemTest {

    private static final String PROBLEM = "application/problem+json";

    @Test
    void unknownIdIsA404Problem() {
        given().get("/widgets/999999").then()
                .statusCode(404)
                .contentType(startsWith(PROBLEM))
                .body("status", equalTo(404))
                .body("title", equalTo("Not Found"))
                .body("detail", equalTo("No widget 999999"))
                .body("instance", equalTo("/widgets/999999"));
    }

    @Test
    void unknownPathIsA404Problem() {
        given().get("/no/such/path").then()
                .statusCode(404)
                .contentType(startsWith(PROBLEM))
                .body("status", equalTo(404));
    }

    @Test
    void malformedJsonIsA400Problem() {
        given().contentType(ContentType.JSON).body("{\"name\": ").post("/widgets").then()
                .statusCode(400)
                .contentType(startsWith(PROBLEM))
                .body("detail", containsString("not valid JSON"));
    }

    @Test
    void validationErrorsNameEveryField() {
        given().contentType(ContentType.JSON).body("{\"name\":\"\",\"size\":0,\"parts\":[{\"sku\":\" \"}]}")
                .post("/widgets").then()
                .statusCode(400)
                .contentType(startsWith(PROBLEM))
                .body("errors.field", hasItem("name"))
                .body("errors.field", hasItem("size"))
                .body("errors.field", hasItem("parts[0].sku"))
                .body("errors.size()", equalTo(3));
    }

    @Test
    void missingBodyIsA400NamingIt() {
        given().contentType(ContentType.JSON).post("/widgets").then()
                .statusCode(400)
                .contentType(startsWith(PROBLEM))
                .body("errors.field", hasItem("body"));
    }

    @Test
    void unknownPropertyAndWrongTypeNameTheField() {
        given().contentType(ContentType.JSON).body("{\"name\":\"a\",\"size\":1,\"colour\":\"red\"}")
                .post("/widgets").then()
                .statusCode(400).contentType(startsWith(PROBLEM))
                .body("errors[0].field", equalTo("colour"));
        given().contentType(ContentType.JSON).body("{\"name\":\"a\",\"size\":\"big\"}")
                .post("/widgets").then()
                .statusCode(400).contentType(startsWith(PROBLEM))
                .body("errors[0].field", equalTo("size"));
    }

    @Test
    void unsupportedMethodAndMediaTypeAreProblems() {
        given().delete("/widgets/1").then().statusCode(405).contentType(startsWith(PROBLEM));
        given().contentType(ContentType.TEXT).body("x").post("/widgets").then()
                .statusCode(415).contentType(startsWith(PROBLEM));
    }

    @Test
    void unexpectedFailureIsA500WithoutInternals() {
        given().get("/widgets/boom").then()
                .statusCode(500)
                .contentType(startsWith(PROBLEM))
                .body(not(containsString("secret-internal-detail")))
                .body(not(containsString("Exception")))
                .body(not(containsString("at io.")));
    }

    @Test
    void unreachableDependencyIsA503WithRetryAfter() {
        given().get("/widgets/down").then()
                .statusCode(503)
                .contentType(startsWith(PROBLEM))
                .header("Retry-After", equalTo("1"))
                .body(not(containsString("5432")));
    }

    @Test
    void aChangeThatLostARaceIsA409NotA500() {
        given().get("/widgets/race").then()
                .statusCode(409)
                .contentType(startsWith(PROBLEM))
                .body("detail", containsString("retry"));
    }

    @Test
    void textWithNulIsA400NamingTheField() {
        given().contentType(ContentType.JSON).body("{\"name\":\"a\\u0000b\",\"size\":1}").post("/widgets").then()
                .statusCode(400).contentType(startsWith(PROBLEM))
                .body("errors[0].field", equalTo("name"))
                .body("errors[0].message", containsString("NUL"));
        given().contentType(ContentType.JSON).body("{\"name\":\"a\",\"size\":1,\"parts\":[{\"sku\":\"\\u0000\"}]}")
                .post("/widgets").then()
                .statusCode(400).contentType(startsWith(PROBLEM))
                .body("errors[0].field", equalTo("parts[0].sku"));
        given().urlEncodingEnabled(false).get("/widgets?limit=5&cursor=a%00b").then()
                .statusCode(400).contentType(startsWith(PROBLEM))
                .body("errors[0].field", equalTo("cursor"))
                .body("errors[0].message", containsString("NUL"));
    }

    @Test
    void numbersAreNeitherTruncatedNorOverflowed() {
        given().contentType(ContentType.JSON).body("{\"name\":\"a\",\"size\":1.5}").post("/widgets").then()
                .statusCode(400).contentType(startsWith(PROBLEM))
                .body("errors[0].field", equalTo("size"))
                .body("errors[0].message", equalTo("must be a whole number"));
        given().contentType(ContentType.JSON).body("{\"name\":\"a\",\"size\":99999999999}").post("/widgets").then()
                .statusCode(400).contentType(startsWith(PROBLEM))
                .body("errors[0].field", equalTo("size"))
                .body("errors[0].message", equalTo("is out of range"));
    }

    @Test
    void aBodyAboveItsLimitIsA413BeforeItIsRead() {
        int before = io.million.web.testapp.WidgetResource.CREATES.get();
        String name = "n".repeat(70_000);
        given().contentType(ContentType.JSON).body("{\"name\":\"" + name + "\",\"size\":1}").post("/widgets").then()
                .statusCode(413).contentType(startsWith(PROBLEM))
                .body("status", equalTo(413))
                .body("detail", containsString("at most 65536"));
        org.junit.jupiter.api.Assertions.assertEquals(before, io.million.web.testapp.WidgetResource.CREATES.get(),
                "a refused body creates nothing");
    }
}
