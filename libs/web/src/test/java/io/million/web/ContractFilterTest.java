package io.million.web;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.hasItems;
import static org.hamcrest.Matchers.not;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.util.Map;

import org.junit.jupiter.api.Test;

import io.million.testing.Management;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;

/**
 * libs/web's OpenAPI filter on the test app's document: the shared Problem schema on every error
 * answer, the answers the layers in front of every route give, and what {@code limit}, {@code cursor}
 * and {@code fields} hold.
 */
@QuarkusTest
class ContractFilterTest {

    private static JsonPath document() {
        return given().queryParam("format", "json").get(Management.url("/q/openapi")).then().statusCode(200)
                .extract().jsonPath();
    }

    @Test
    void everyErrorAnswerHasTheProblemBody() {
        JsonPath doc = document();
        doc.setRootPath("components.schemas.Problem");
        assertEquals(java.util.List.of("type", "title", "status"), doc.getList("required"));
        Map<String, Map<String, Map<String, Object>>> paths = document().getMap("paths");
        int errors = 0;
        for (var path : paths.entrySet()) {
            for (var operation : path.getValue().entrySet()) {
                @SuppressWarnings("unchecked")
                Map<String, Map<String, Object>> responses = (Map<String, Map<String, Object>>) operation.getValue()
                        .get("responses");
                for (var response : responses.entrySet()) {
                    if (response.getKey().startsWith("4") || response.getKey().startsWith("5")) {
                        assertEquals(Map.of("application/problem+json",
                                Map.of("schema", Map.of("$ref", "#/components/schemas/Problem"))),
                                response.getValue().get("content"), operation.getKey() + " " + path.getKey() + " "
                                        + response.getKey());
                        errors++;
                    }
                }
            }
        }
        assertFalse(errors == 0);
    }

    @Test
    void theAnswersOfTheLayersInFrontAreDeclared() {
        JsonPath doc = document();
        // A read of one widget: bad id, unknown id, an Accept it cannot answer, rate limited, shed;
        // no request body, so no 413/415.
        assertEquals(java.util.Set.of("200", "400", "404", "406", "429", "503"),
                doc.getMap("paths.'/widgets/{id}'.get.responses").keySet());
        // A create: a body, so 413 and 415 too.
        given().queryParam("format", "json").get(Management.url("/q/openapi")).then()
                .body("paths.'/widgets'.post.responses.keySet()", hasItems("400", "413", "415", "429", "503"))
                .body("paths.'/widgets'.post.responses.keySet()", not(hasItem("404")))
                .body("paths.'/widgets'.post.responses.'503'.headers.keySet()", hasItem("Retry-After"))
                .body("paths.'/widgets'.post.responses.'200'.headers.keySet()", hasItems("RateLimit", "RateLimit-Policy"))
                .body("components.headers.Retry-After.schema.type", equalTo("integer"));
    }

    @Test
    void pagingAndFieldParametersSayWhatTheyHold() {
        JsonPath doc = document();
        Map<String, Map<String, Object>> byName = new java.util.HashMap<>();
        for (Map<String, Object> parameter : doc.<Map<String, Object>>getList("paths.'/widgets'.get.parameters")) {
            byName.put((String) parameter.get("name"), parameter);
        }
        assertEquals(Map.of("type", "integer", "format", "int32", "minimum", 1, "default", 20),
                byName.get("limit").get("schema"));
        assertEquals("query", byName.get("fields").get("in"));
        assertEquals("query", byName.get("cursor").get("in"));
    }
}
