package io.million.web.format;

import java.io.IOException;
import java.io.UncheckedIOException;

import jakarta.inject.Singleton;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.cbor.CBORFactory;

/**
 * The CBOR mapper: a copy of the application's JSON {@link ObjectMapper} (its modules, features and
 * libs/web's input rules, such as NUL refused and no silent truncation) writing and reading CBOR, so
 * both formats carry the same fields in the same order. A bean of its own type, so that injecting
 * {@code ObjectMapper} still means the JSON one.
 */
@Singleton
public class Cbor {

    private final ObjectMapper json;
    private final ObjectMapper mapper;

    public Cbor(ObjectMapper json) {
        this.json = json;
        this.mapper = json.copyWith(new CBORFactory());
    }

    public ObjectMapper mapper() {
        return mapper;
    }

    /** The CBOR encoding of a JSON document (a pre-serialized representation): same fields, same order. */
    public byte[] fromJson(byte[] document) {
        try {
            return mapper.writeValueAsBytes(json.readTree(document));
        } catch (IOException e) {
            throw new UncheckedIOException("a representation is valid JSON", e);
        }
    }

    /** A body in {@code format} as a tree. */
    public JsonNode readTree(byte[] body, Format format) throws IOException {
        return (format == Format.CBOR ? mapper : json).readTree(body);
    }
}
