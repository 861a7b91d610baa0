package io.million.web;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.million.testing.PageWalker;
import io.million.web.testapp.WidgetResource;
import io.quarkus.test.junit.QuarkusTest;

@QuarkusTest
class PagingTest {

    @Test
    void pagingThroughReturnsEveryItemExactlyOnceInOrder() {
        List<Long> seen = PageWalker.ids("/widgets", Map.of(), 7);
        List<Long> expected = new ArrayList<>();
        for (long id = 1; id <= WidgetResource.COUNT; id++) {
            expected.add(id);
        }
        assertEquals(expected, seen);
    }

    @Test
    void defaultAndCappedLimits() {
        given().get("/widgets").then().statusCode(200).body("items.size()", equalTo(20));
        given().queryParam("limit", 100000).get("/widgets").then().statusCode(200)
                .body("items.size()", equalTo(100));
    }

    @Test
    void lastPageHasNoNext() {
        given().queryParam("limit", WidgetResource.COUNT).get("/widgets").then().statusCode(200)
                .body("items.size()", equalTo(100));
        String afterLast = io.million.web.paging.Cursor.encode(WidgetResource.COUNT - 3);
        given().queryParam("cursor", afterLast).get("/widgets").then().statusCode(200)
                .body("items.size()", equalTo(3))
                .body("next", nullValue());
    }

    @Test
    void badLimitOrCursorIsA400NamingIt() {
        given().queryParam("limit", 0).get("/widgets").then().statusCode(400)
                .body("errors[0].field", equalTo("limit"));
        given().queryParam("limit", "ten").get("/widgets").then().statusCode(400)
                .body("errors[0].field", equalTo("limit"));
        given().queryParam("cursor", "not-a-cursor").get("/widgets").then().statusCode(400)
                .body("errors[0].field", equalTo("cursor"));
    }
}
