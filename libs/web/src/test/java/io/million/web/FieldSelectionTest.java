package io.million.web;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasKey;
import static org.hamcrest.Matchers.not;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

import io.million.web.testapp.WidgetResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;

@QuarkusTest
class FieldSelectionTest {

    @Test
    void selectsTopLevelFieldsOfAResource() {
        given().queryParam("fields", "id, name").get("/widgets/3").then().statusCode(200)
                .body("id", equalTo(3))
                .body("name", equalTo("widget-3"))
                .body("$", not(hasKey("description")));
    }

    @Test
    void selectsFieldsOfEveryItemOfAPage() {
        given().queryParam("fields", "name").queryParam("limit", 2).get("/widgets").then().statusCode(200)
                .body("items.size()", equalTo(2))
                .body("items[0]", not(hasKey("id")))
                .body("items[1].name", equalTo("widget-2"))
                .body("next", not(equalTo(null)));
    }

    @Test
    void unknownFieldIsA400NamingIt() {
        given().queryParam("fields", "id,colour").get("/widgets/3").then().statusCode(400)
                .contentType(containsString("application/problem+json"))
                .body("errors[0].field", equalTo("fields"))
                .body("errors[0].message", containsString("colour"));
        given().queryParam("fields", " , ").get("/widgets/3").then().statusCode(400);
    }

    @Test
    void anUnknownFieldRefusesAWriteBeforeItHappens() {
        int before = WidgetResource.CREATES.get();
        given().queryParam("fields", "nope").contentType(ContentType.JSON).body("{\"name\":\"a\",\"size\":1}")
                .post("/widgets").then().statusCode(400);
        assertEquals(before, WidgetResource.CREATES.get());
        given().queryParam("fields", "id").contentType(ContentType.JSON).body("{\"name\":\"a\",\"size\":1}")
                .post("/widgets").then().statusCode(201).body("$", not(hasKey("name")));
        assertEquals(before + 1, WidgetResource.CREATES.get());
    }
}
