package io.million.testing;

import java.io.IOException;
import java.io.UncheckedIOException;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.cbor.databind.CBORMapper;

import io.restassured.response.ExtractableResponse;
import io.restassured.response.Response;

/** CBOR request and response bodies for tests, as a client would write and read them. */
public final class CborBodies {

    public static final String TYPE = "application/cbor";
    private static final CBORMapper CBOR = new CBORMapper();

    private CborBodies() {
    }

    public static byte[] encode(Object value) {
        try {
            return CBOR.writeValueAsBytes(value);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static JsonNode decode(byte[] body) {
        try {
            return CBOR.readTree(body);
        } catch (IOException e) {
            throw new AssertionError("not CBOR (" + body.length + " bytes: " + java.util.HexFormat.of().formatHex(body,
                    0, Math.min(body.length, 64)) + ")", e);
        }
    }

    /** A JSON answer's body as a tree, to compare with a CBOR one. */
    public static JsonNode json(ExtractableResponse<Response> response) {
        try {
            return new com.fasterxml.jackson.databind.ObjectMapper().readTree(response.asByteArray());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The CBOR body of an answer, checked to be one. */
    public static JsonNode body(ExtractableResponse<Response> response) {
        String type = response.contentType();
        if (type == null || !type.startsWith(TYPE)) {
            throw new AssertionError("not a CBOR answer: Content-Type " + type);
        }
        return decode(response.asByteArray());
    }
}
