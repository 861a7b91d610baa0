package io.million.web;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.lessThan;
import static org.hamcrest.Matchers.nullValue;

import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.config.DecoderConfig;

@QuarkusTest
class CompressionTest {

    /** Raw bytes, no client-side decoding, so the wire encoding can be checked. */
    private static io.restassured.specification.RequestSpecification raw(String acceptEncoding) {
        return given().config(RestAssured.config().decoderConfig(DecoderConfig.decoderConfig().noContentDecoders()))
                .header("Accept-Encoding", acceptEncoding);
    }

    @Test
    void largeJsonIsGzipped() {
        var response = raw("gzip").get("/widgets/big").then().statusCode(200)
                .header("Content-Encoding", equalTo("gzip"))
                .header("Vary", containsString("Accept-Encoding"))
                .extract();
        int uncompressed = given().header("Accept-Encoding", "identity").get("/widgets/big").asByteArray().length;
        org.hamcrest.MatcherAssert.assertThat(response.asByteArray().length, lessThan(uncompressed / 4));
    }

    @Test
    void brotliIsPreferredWhenAccepted() {
        raw("gzip, br").get("/widgets/big").then().statusCode(200)
                .header("Content-Encoding", equalTo("br"));
    }

    @Test
    void smallResponsesAreNotCompressed() {
        raw("gzip, br").get("/widgets/1").then().statusCode(200)
                .header("Content-Encoding", nullValue())
                .header("Vary", containsString("Accept-Encoding"))
                .body("name", equalTo("widget-1"));
    }

    @Test
    void gzipBodyDecodesToTheSameDocument() {
        given().header("Accept-Encoding", "gzip").get("/widgets/big").then().statusCode(200)
                .body("name", equalTo("big"));
    }
}
