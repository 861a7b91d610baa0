package io.million.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Iterator;
import java.util.Map;
import java.util.TreeMap;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

/**
 * The event payloads of every topic, defined once ({@code events/<topic>/<type>.json} in this
 * library) and checked from both sides: a producer writes exactly the contract's fields with its
 * JSON types, a consumer finds every field it reads in it.
 */
public final class EventContracts {

    /** As Quarkus configures Jackson for the services: java.time as ISO-8601 text. */
    public static final ObjectMapper JSON = new ObjectMapper().findAndRegisterModules()
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS);

    private EventContracts() {
    }

    /** The sample payload of {@code type} on {@code topic}. */
    public static JsonNode sample(String topic, String type) {
        String path = "/events/" + topic + "/" + type + ".json";
        try (InputStream in = EventContracts.class.getResourceAsStream(path)) {
            assertNotNull(in, "no contract " + path);
            return JSON.readTree(new String(in.readAllBytes(), StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new IllegalStateException(path, e);
        }
    }

    /** What {@code event} serializes to has exactly the contract's fields, each of its JSON type. */
    public static void assertProduces(String topic, String type, Object event) {
        JsonNode written = JSON.valueToTree(event);
        assertEquals(shape(sample(topic, type)), shape(written), type + " as " + event.getClass().getSimpleName()
                + " writes it: " + written);
    }

    /**
     * The consumer's {@code shape} reads the sample (unknown fields ignored, as consumers read), and
     * every field it finds a value for has the contract's JSON type; the caller asserts on the
     * returned value that the fields it needs are there (a field the contract lacks reads empty).
     */
    public static <T> T assertConsumes(String topic, String type, Class<T> shape) {
        JsonNode contract = sample(topic, type);
        try {
            T read = JSON.readerFor(shape).without(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                    .readValue(contract);
            JsonNode back = JSON.valueToTree(read);
            Map<String, String> theirs = shape(contract);
            shape(back).forEach((field, kind) -> {
                if (!"null".equals(kind)) {
                    assertTrue(theirs.containsKey(field), shape.getSimpleName() + " reads " + field + ", which " + type
                            + " does not carry");
                    assertEquals(theirs.get(field), kind, shape.getSimpleName() + "." + field + " of " + type);
                }
            });
            return read;
        } catch (IOException e) {
            throw new AssertionError(shape.getSimpleName() + " cannot read " + type + ": " + e.getMessage(), e);
        }
    }

    /** Field path -> JSON type, array elements as {@code []}. */
    private static Map<String, String> shape(JsonNode node) {
        Map<String, String> fields = new TreeMap<>();
        shape("", node, fields);
        return fields;
    }

    private static void shape(String path, JsonNode node, Map<String, String> into) {
        if (node.isObject()) {
            for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext();) {
                var field = it.next();
                shape(path.isEmpty() ? field.getKey() : path + "." + field.getKey(), field.getValue(), into);
            }
        } else if (node.isArray()) {
            into.put(path, "array");
            for (JsonNode element : node) {
                shape(path + "[]", element, into);
            }
        } else {
            into.put(path, node.getNodeType().name().toLowerCase());
        }
    }
}
