package io.million.web.openapi;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import org.eclipse.microprofile.openapi.OASFactory;
import org.eclipse.microprofile.openapi.OASFilter;
import org.eclipse.microprofile.openapi.models.Components;
import org.eclipse.microprofile.openapi.models.OpenAPI;
import org.eclipse.microprofile.openapi.models.Operation;
import org.eclipse.microprofile.openapi.models.PathItem;
import org.eclipse.microprofile.openapi.models.media.Schema;
import org.eclipse.microprofile.openapi.models.media.Schema.SchemaType;
import org.eclipse.microprofile.openapi.models.parameters.Parameter;
import org.eclipse.microprofile.openapi.models.responses.APIResponse;
import org.eclipse.microprofile.openapi.models.responses.APIResponses;

import io.million.web.problem.Problem;
import io.quarkus.smallrye.openapi.OpenApiFilter;

/**
 * What libs/web does to every public operation, written into each service's OpenAPI document at
 * build time, so resources declare only what is their own (their success answers, 404/409/422).
 * <ul>
 * <li>The shared {@code Problem} schema (RFC 9457) and the {@code application/problem+json} body
 * on every 4xx/5xx answer.</li>
 * <li>The answers every route can give because of the layers in front of it: 400 for any input
 * (parameters or a body), 401/403 where a bearer token is required, 404 for a path with an id, 412
 * with {@code If-Match}, 304 with {@code If-None-Match}, 406 (JSON or CBOR, format/Format), 413
 * and 415 for a body, 429 (rate limits,
 * libs/ratelimit) and 503 (load shedding, a shard down or fenced) with {@code Retry-After}.</li>
 * <li>{@code ?fields=} on every read (libs/web FieldSelection), and what {@code limit} and
 * {@code cursor} of a listing hold (libs/web Paging).</li>
 * <li>The rate-limit headers ({@code RateLimit}, {@code RateLimit-Policy}) on every answer, and
 * the shared header definitions resources refer to ({@link ApiHeaders}).</li>
 * </ul>
 * Written by hand because these rules are ours: no library knows what our filters answer.
 */
@OpenApiFilter(OpenApiFilter.RunStage.BUILD)
public class ContractFilter implements OASFilter {

    static final String PROBLEM = "Problem";
    static final String FIELD_ERROR = "FieldError";

    /** The standard answers, with the reason each one is given here. */
    private static final Map<String, String> REASONS = Map.ofEntries(
            Map.entry("304", "Not Modified: the If-None-Match ETag is current; no body"),
            Map.entry("400", "Bad Request: invalid input; errors[] names each rejected field, parameter or header"),
            Map.entry("401", "Unauthorized: no bearer token, or an invalid one (WWW-Authenticate: Bearer)"),
            Map.entry("403", "Forbidden: the token's subject neither owns the resource nor holds a granted role"),
            Map.entry("404", "Not Found: no such resource"),
            Map.entry("406", "Not Acceptable: Accept names neither application/json nor application/cbor"),
            Map.entry("409", "Conflict"),
            Map.entry("412", "Precondition Failed: If-Match names a version that is no longer current"),
            Map.entry("413", "Content Too Large: the body exceeds this route's limit"),
            Map.entry("415", "Unsupported Media Type: the body's Content-Type is not the one this operation reads"),
            Map.entry("422", "Unprocessable Content"),
            Map.entry("429", "Too Many Requests: over a rate limit; retry after Retry-After seconds"),
            Map.entry("503", "Service Unavailable: overloaded, or the shard holding this key is down or moving; "
                    + "retry after Retry-After seconds"));

    @Override
    public void filterOpenAPI(OpenAPI openAPI) {
        if (openAPI.getComponents() == null) {
            openAPI.setComponents(OASFactory.createComponents());
        }
        Components components = openAPI.getComponents();
        addSchemas(components);
        if (openAPI.getPaths() == null || openAPI.getPaths().getPathItems() == null) {
            return;
        }
        openAPI.getPaths().getPathItems().forEach((path, item) -> item.getOperations()
                .forEach((method, operation) -> complete(path, method, operation)));
        // Only the shared headers this document's answers refer to, so nothing in it is unused.
        java.util.Set<String> used = new java.util.HashSet<>();
        openAPI.getPaths().getPathItems().values().forEach(item -> item.getOperations().values()
                .forEach(operation -> operation.getResponses().getAPIResponses().values()
                        .forEach(response -> response.getHeaders().values().forEach(header -> {
                            if (header.getRef() != null) {
                                used.add(header.getRef().substring(header.getRef().lastIndexOf('/') + 1));
                            }
                        }))));
        ApiHeaders.definitions().forEach((name, header) -> {
            if (used.contains(name)) {
                components.addHeader(name, header);
            }
        });
    }

    private static void complete(String path, PathItem.HttpMethod method, Operation operation) {
        APIResponses responses = operation.getResponses();
        if (responses == null) {
            responses = OASFactory.createAPIResponses();
            operation.setResponses(responses);
        }
        List<Parameter> parameters = operation.getParameters() == null ? List.of() : operation.getParameters();
        parameters.forEach(ContractFilter::describePaging);
        if (method == PathItem.HttpMethod.GET && parameters.stream().noneMatch(p -> p.getName().equals("fields"))) {
            operation.addParameter(OASFactory.createParameter().name("fields").in(Parameter.In.QUERY)
                    .description("Sparse fieldset: comma-separated top-level fields to keep (of each item, for a "
                            + "page); an unknown name is a 400 naming it; the ETag then names the selection")
                    .schema(OASFactory.createSchema().addType(SchemaType.STRING)));
            parameters = operation.getParameters();
        }
        boolean body = operation.getRequestBody() != null;
        if (body || !parameters.isEmpty()) {
            standard(responses, "400");
        }
        if (operation.getSecurity() != null && !operation.getSecurity().isEmpty()) {
            standard(responses, "401");
            standard(responses, "403");
        }
        if (path.contains("{")) {
            standard(responses, "404");
        }
        if (has(parameters, "If-Match")) {
            standard(responses, "412");
        }
        if (has(parameters, "If-None-Match") && method == PathItem.HttpMethod.GET) {
            standard(responses, "304");
        }
        // Every resource of ours produces JSON and CBOR (class-level @Produces): even a DELETE's
        // 204 is refused to an Accept that names neither.
        standard(responses, "406");
        if (body) {
            standard(responses, "413");
            standard(responses, "415");
        }
        standard(responses, "429").addHeader(ApiHeaders.RETRY_AFTER, ApiHeaders.ref(ApiHeaders.RETRY_AFTER));
        standard(responses, "503").addHeader(ApiHeaders.RETRY_AFTER, ApiHeaders.ref(ApiHeaders.RETRY_AFTER));

        // Sorted by status, so the document reads (and diffs) in a stable order.
        Map<String, APIResponse> sorted = new TreeMap<>(responses.getAPIResponses());
        responses.setAPIResponses(sorted);
        sorted.forEach((status, response) -> {
            response.addHeader(ApiHeaders.RATE_LIMIT, ApiHeaders.ref(ApiHeaders.RATE_LIMIT));
            response.addHeader(ApiHeaders.RATE_LIMIT_POLICY, ApiHeaders.ref(ApiHeaders.RATE_LIMIT_POLICY));
            if (status.charAt(0) == '4' || status.charAt(0) == '5') {
                // Quarkus adds a bare "Bad Request" 400 to operations with a body: say what it means here.
                if (response.getDescription() == null || response.getDescription().isBlank()
                        || response.getDescription().equals("Bad Request")) {
                    response.setDescription(REASONS.getOrDefault(status, "Error"));
                }
                response.setContent(OASFactory.createContent().addMediaType(Problem.MEDIA_TYPE,
                        OASFactory.createMediaType().schema(OASFactory.createSchema().ref(PROBLEM))));
            }
        });
    }

    /** The response for a status, added with the standard reason when the operation has none. */
    private static APIResponse standard(APIResponses responses, String status) {
        APIResponse response = responses.getAPIResponse(status);
        if (response == null) {
            response = OASFactory.createAPIResponse().description(REASONS.get(status));
            responses.addAPIResponse(status, response);
        }
        return response;
    }

    /**
     * Listings take {@code limit} and {@code cursor} as strings so that a bad value is a 400 naming
     * it (libs/web Paging); the contract says what they hold.
     */
    private static void describePaging(Parameter parameter) {
        if (parameter.getIn() != Parameter.In.QUERY) {
            return;
        }
        if (parameter.getName().equals("limit")) {
            parameter.description("Items per page: default 20, at most 100 (a larger value is capped)")
                    .schema(OASFactory.createSchema().addType(SchemaType.INTEGER).format("int32")
                            .minimum(java.math.BigDecimal.ONE).defaultValue(20));
        } else if (parameter.getName().equals("cursor")) {
            parameter.description("Where the page starts: the `next` of the previous page, unchanged; absent for the first page");
        }
    }

    private static boolean has(List<Parameter> parameters, String header) {
        return parameters.stream().anyMatch(p -> p.getIn() == Parameter.In.HEADER && header.equalsIgnoreCase(p.getName()));
    }

    private static void addSchemas(Components components) {
        Schema fieldError = object("One rejected input of a 400")
                .addProperty("field", string("The JSON property, query or path parameter, or header that was rejected"))
                .addProperty("message", string("What is wrong with it"))
                .required(List.of("field", "message"));
        Schema problem = object("An RFC 9457 problem detail: the body of every error answer")
                .addProperty("type", string("A URI naming the problem type; about:blank when the status says it all")
                        .format("uri-reference"))
                .addProperty("title", string("Short, human-readable summary of the problem type"))
                .addProperty("status", OASFactory.createSchema().addType(SchemaType.INTEGER).format("int32")
                        .minimum(new java.math.BigDecimal(400)).maximum(new java.math.BigDecimal(599))
                        .description("The HTTP status code"))
                .addProperty("detail", string("What went wrong with this request, for a human"))
                .addProperty("instance", string("The request path this problem is about").format("uri-reference"))
                .addProperty("errors", OASFactory.createSchema().addType(SchemaType.ARRAY)
                        .items(OASFactory.createSchema().ref(FIELD_ERROR))
                        .description("The rejected inputs of a validation failure; absent otherwise"))
                .required(List.of("type", "title", "status"));
        components.addSchema(FIELD_ERROR, fieldError);
        components.addSchema(PROBLEM, problem);
    }

    private static Schema object(String description) {
        return OASFactory.createSchema().addType(SchemaType.OBJECT).description(description);
    }

    private static Schema string(String description) {
        return OASFactory.createSchema().addType(SchemaType.STRING).description(description);
    }
}
