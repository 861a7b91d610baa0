package io.million.web;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import io.million.testing.CborBodies;
import io.million.web.format.Format;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;

/**
 * The CBOR representation through real HTTP: negotiation (406), request bodies (415, bad CBOR is a
 * 400), the same fields as JSON, ?fields= and paging, one strong ETag per format, Vary: Accept.
 */
@QuarkusTest
class BinaryFormatTest {

    @Test
    void aResourceInCborHasTheFieldsOfItsJson() {
        var cbor = given().accept(CborBodies.TYPE).get("/widgets/3").then().statusCode(200)
                .contentType(CborBodies.TYPE).header("Vary", containsString("Accept")).extract();
        JsonNode widget = CborBodies.body(cbor);
        assertEquals(3, widget.get("id").asInt());
        assertEquals("widget-3", widget.get("name").asText());
        given().get("/widgets/3").then().statusCode(200).contentType(ContentType.JSON).body("id", equalTo(3))
                .body("description", equalTo(widget.get("description").asText()));
    }

    @Test
    void negotiationFollowsQualityThenSpecificity() {
        given().header("Accept", "application/json;q=0.5, application/cbor").get("/widgets/1").then()
                .statusCode(200).contentType(CborBodies.TYPE);
        given().header("Accept", "application/cbor;q=0.2, */*").get("/widgets/1").then()
                .statusCode(200).contentType(ContentType.JSON);
        given().header("Accept", "text/html, application/*;q=0.1").get("/widgets/1").then()
                .statusCode(200).contentType(ContentType.JSON);
        given().header("Accept", "application/cbor, application/json").get("/widgets/1").then()
                .statusCode(200).contentType(CborBodies.TYPE);
        assertEquals(Format.JSON, Format.negotiate("application/cbor;q=0, */*"));
        // A malformed q-value counts as 1: then the order given decides.
        assertEquals(Format.CBOR, Format.negotiate("application/cbor;q=x, application/json"));
        assertNull(Format.negotiate("application/json;q=0"));
        // What generated clients send for a DELETE (its only body is a problem): JSON, not a 406.
        assertEquals(Format.JSON, Format.negotiate("application/problem+json"));
        assertNull(Format.negotiate("application/problem+json, application/json;q=0"));
    }

    @Test
    void anAcceptNamingNeitherFormatIs406Problem() {
        given().header("Accept", "text/html").get("/widgets/1").then().statusCode(406)
                .contentType(containsString("application/problem+json")).body("status", equalTo(406));
        given().header("Accept", "application/xml, text/plain;q=0.5").get("/widgets").then().statusCode(406);
    }

    @Test
    void aCborBodyIsReadAndValidatedLikeJson() {
        byte[] body = CborBodies.encode(Map.of("name", "gear", "size", 2, "parts", List.of(Map.of("sku", "A-1"))));
        var created = given().contentType(CborBodies.TYPE).accept(CborBodies.TYPE).body(body).post("/widgets").then()
                .statusCode(201).extract();
        assertEquals("gear", CborBodies.body(created).get("name").asText());

        // Validation names the field, in a problem+json answer even to a CBOR client.
        given().contentType(CborBodies.TYPE).accept(CborBodies.TYPE)
                .body(CborBodies.encode(Map.of("name", "", "size", 2))).post("/widgets").then().statusCode(400)
                .contentType(containsString("application/problem+json")).body("errors.field", hasItem("name"));
        // Input rules hold in CBOR too: NUL refused, no silent truncation of 2.5 into an int.
        given().contentType(CborBodies.TYPE).body(CborBodies.encode(Map.of("name", "a\u0000b", "size", 2)))
                .post("/widgets").then().statusCode(400).body("errors.field", hasItem("name"));
        given().contentType(CborBodies.TYPE).body(CborBodies.encode(Map.of("name", "a", "size", 2.5)))
                .post("/widgets").then().statusCode(400).body("errors.field", hasItem("size"));
        // Bytes that are not CBOR, and a media type not served.
        given().contentType(CborBodies.TYPE).body(new byte[] { (byte) 0xff, 0x00, 0x13 }).post("/widgets").then()
                .statusCode(400).contentType(containsString("application/problem+json"));
        given().contentType("application/xml").body("<widget/>").post("/widgets").then().statusCode(415)
                .contentType(containsString("application/problem+json"));
    }

    @Test
    void fieldsAndPagingInCbor() {
        JsonNode page = CborBodies.body(given().accept(CborBodies.TYPE).queryParam("limit", 2)
                .queryParam("fields", "name").get("/widgets").then().statusCode(200).extract());
        assertEquals(2, page.get("items").size());
        assertFalse(page.get("items").get(0).has("id"));
        assertEquals("widget-2", page.get("items").get(1).get("name").asText());
        String next = page.get("next").asText();
        JsonNode second = CborBodies.body(given().accept(CborBodies.TYPE).queryParam("limit", 2)
                .queryParam("cursor", next).get("/widgets").then().statusCode(200).extract());
        assertEquals(3, second.get("items").get(0).get("id").asInt());
    }

    @Test
    void eachFormatHasItsOwnStrongETag() {
        String json = given().get("/widgets/7/tagged").then().statusCode(200).extract().header("ETag");
        String cbor = given().accept(CborBodies.TYPE).get("/widgets/7/tagged").then().statusCode(200).extract()
                .header("ETag");
        assertEquals("\"7\"", json);
        assertEquals("\"7.cbor\"", cbor);
        String selected = given().accept(CborBodies.TYPE).queryParam("fields", "name").get("/widgets/7/tagged").then()
                .statusCode(200).extract().header("ETag");
        assertEquals("\"7+name.cbor\"", selected);
        // If-None-Match is evaluated against the tag of the representation asked for.
        given().accept(CborBodies.TYPE).header("If-None-Match", cbor).get("/widgets/7/tagged").then().statusCode(304);
        given().accept(CborBodies.TYPE).header("If-None-Match", json).get("/widgets/7/tagged").then().statusCode(200);
        given().header("If-None-Match", cbor).get("/widgets/7/tagged").then().statusCode(200);
        given().header("If-None-Match", json).get("/widgets/7/tagged").then().statusCode(304);
        // A 304 carries the Vary of its 200 (a revalidating cache stores the 304's), both formats.
        for (String accept : new String[] { "application/json", CborBodies.TYPE }) {
            var notModified = given().accept(accept).header("Accept-Encoding", "gzip")
                    .header("If-None-Match", accept.equals("application/json") ? json : cbor).get("/widgets/7/tagged")
                    .then().statusCode(304).extract();
            String vary = String.join(",", notModified.headers().getValues("Vary")).replace(" ", "");
            assertTrue(("," + vary + ",").contains(",Accept,") && vary.contains("Accept-Encoding"), accept + ": " + vary);
        }
        // If-Match: either tag of the current version names it.
        assertTrue(Preconditions.matchesVersion(cbor, json));
        assertFalse(Preconditions.matchesVersion("\"6.cbor\"", json));
    }
}
