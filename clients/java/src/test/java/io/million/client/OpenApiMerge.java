package io.million.client;

import java.util.Iterator;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * One OpenAPI document for the whole platform, from the services' documents: what a client team
 * generates one client from. The services sit behind one entry point and own disjoint paths, and
 * they share libs/web's components (Problem, the headers, the bearer scheme), so the merge is a
 * union that refuses any clash: the same path in two services, or one component name with two
 * different definitions. Written by hand because the merge tools we could use (openapi-merge-cli,
 * redocly join) are npm programs that rename or drop clashing components silently.
 */
final class OpenApiMerge {

    static final String TITLE = "Million API";
    static final String DESCRIPTION = "The whole Million platform behind its entry point: users, the catalog and "
            + "orders (one document per service is served on each service's management port, /q/openapi). "
            + "Bearer tokens are RS256 JWTs from your identity provider (sub = user id, groups = roles). "
            + "Every error is application/problem+json (RFC 9457).";
    private static final List<String> COMPONENT_SECTIONS = List.of("schemas", "responses", "parameters", "headers",
            "securitySchemes");

    private OpenApiMerge() {
    }

    static ObjectNode merge(List<JsonNode> documents) {
        JsonNodeFactory nodes = JsonNodeFactory.instance;
        JsonNode first = documents.get(0);
        ObjectNode merged = nodes.objectNode();
        merged.set("openapi", first.get("openapi"));
        ObjectNode info = first.get("info").deepCopy();
        info.put("title", TITLE).put("description", DESCRIPTION);
        merged.set("info", info);
        merged.set("servers", first.get("servers"));
        ArrayNode tags = merged.putArray("tags");
        ObjectNode paths = merged.putObject("paths");
        ObjectNode components = merged.putObject("components");
        for (JsonNode document : documents) {
            String title = document.path("info").path("title").asText();
            same("openapi", merged.get("openapi"), document.get("openapi"), title);
            same("servers", merged.get("servers"), document.get("servers"), title);
            for (JsonNode tag : document.path("tags")) {
                if (!contains(tags, tag)) {
                    tags.add(tag);
                }
            }
            union("paths", paths, document.path("paths"), title, false);
            for (String section : COMPONENT_SECTIONS) {
                JsonNode entries = document.path("components").path(section);
                if (!entries.isMissingNode()) {
                    ObjectNode target = components.has(section) ? (ObjectNode) components.get(section)
                            : components.putObject(section);
                    union("components." + section, target, entries, title, true);
                }
            }
        }
        return merged;
    }

    /** Adds each entry of {@code from}; an existing name is refused, or for shared components, must be equal. */
    private static void union(String where, ObjectNode into, JsonNode from, String title, boolean sharedIfEqual) {
        for (Iterator<Map.Entry<String, JsonNode>> entries = from.fields(); entries.hasNext();) {
            Map.Entry<String, JsonNode> entry = entries.next();
            JsonNode existing = into.get(entry.getKey());
            if (existing == null) {
                into.set(entry.getKey(), entry.getValue());
            } else if (!sharedIfEqual || !existing.equals(entry.getValue())) {
                throw new IllegalArgumentException(where + "." + entry.getKey() + " of " + title
                        + " clashes with another service's: rename one of them");
            }
        }
    }

    private static void same(String field, JsonNode expected, JsonNode actual, String title) {
        if (!expected.equals(actual)) {
            throw new IllegalArgumentException(field + " of " + title + " differs from the first document's: " + actual
                    + " vs " + expected);
        }
    }

    private static boolean contains(ArrayNode array, JsonNode value) {
        for (JsonNode item : array) {
            if (item.equals(value)) {
                return true;
            }
        }
        return false;
    }
}
