package io.million.testing;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import io.restassured.path.json.JsonPath;
import io.restassured.specification.RequestSpecification;

/**
 * Follows a cursor-paged listing ({@code {"items": [...], "next": cursor}}) from the first page to
 * the last, checking that no page exceeds the limit, and returns every item id in the order served.
 */
public final class PageWalker {

    /** Bound on pages read, so a cursor that never ends fails the test instead of hanging it. */
    private static final int MAX_PAGES = 10_000;

    private PageWalker() {
    }

    public static List<Long> ids(String path, Map<String, ?> query, int limit) {
        List<Long> seen = new ArrayList<>();
        String cursor = null;
        for (int pages = 0; pages < MAX_PAGES; pages++) {
            RequestSpecification request = given().queryParams(query).queryParam("limit", limit);
            if (cursor != null) {
                request.queryParam("cursor", cursor);
            }
            JsonPath page = request.get(path).then().statusCode(200).extract().jsonPath();
            List<Long> ids = page.getList("items.id", Long.class);
            assertTrue(ids.size() <= limit, "a page holds at most `limit` items");
            seen.addAll(ids);
            cursor = page.getString("next");
            if (cursor == null) {
                return seen;
            }
        }
        return fail(path + " served more than " + MAX_PAGES + " pages");
    }
}
