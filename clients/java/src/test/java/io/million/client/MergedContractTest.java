package io.million.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.million.testing.ContractSnapshot;

/**
 * services/openapi.json (what this module generates its client from) is the merge of the services'
 * checked-in documents, which each service's tests hold equal to what it serves. Update all of
 * them with {@code ./mvnw install -Dmillion.contract.update=true} (twice: the second build
 * generates the client from the new merged document).
 */
class MergedContractTest {

    private static final Path MERGED = Path.of(System.getProperty("million.contract", "../../services/openapi.json"));
    private static final List<String> SERVICES = List.of("users", "catalog", "orders");

    @Test
    void theMergedContractIsTheMergeOfTheServicesContracts() {
        ContractSnapshot.check(OpenApiMerge.merge(services()), MERGED);
    }

    @Test
    void theMergedContractHasEveryOperationOfEveryService() {
        JsonNode merged = ContractSnapshot.read(MERGED);
        int operations = 0;
        for (JsonNode service : services()) {
            for (var paths = service.get("paths").fields(); paths.hasNext();) {
                var path = paths.next();
                for (var methods = path.getValue().fieldNames(); methods.hasNext();) {
                    String method = methods.next();
                    assertEquals(path.getValue().get(method), merged.get("paths").get(path.getKey()).get(method),
                            method + " " + path.getKey());
                    operations++;
                }
            }
        }
        assertEquals(14, operations, "users 5, catalog 6, orders 3 operations");
        assertEquals(OpenApiMerge.TITLE, merged.get("info").get("title").asText());
    }

    @Test
    void aPathInTwoServicesIsRefused() {
        JsonNode users = services().get(0);
        var clash = assertThrows(IllegalArgumentException.class, () -> OpenApiMerge.merge(List.of(users, users)));
        assertTrue(clash.getMessage().startsWith("paths./v1/users"), clash.getMessage());
    }

    @Test
    void oneComponentNameWithTwoDefinitionsIsRefused() {
        List<JsonNode> documents = services();
        ObjectNode problem = (ObjectNode) documents.get(2).get("components").get("schemas").get("Problem");
        problem.put("description", "another problem");
        var clash = assertThrows(IllegalArgumentException.class, () -> OpenApiMerge.merge(documents));
        assertTrue(clash.getMessage().startsWith("components.schemas.Problem of Million orders API"), clash.getMessage());
    }

    private static List<JsonNode> services() {
        return SERVICES.stream().map(service -> ContractSnapshot.read(MERGED.resolveSibling(service).resolve("openapi.json")))
                .toList();
    }
}
