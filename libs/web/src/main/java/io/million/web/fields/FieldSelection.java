package io.million.web.fields;

import java.lang.reflect.Method;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;

import jakarta.inject.Inject;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerResponseContext;
import jakarta.ws.rs.container.ResourceInfo;
import jakarta.ws.rs.core.Response;

import org.jboss.resteasy.reactive.RestResponse;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;
import org.jboss.resteasy.reactive.server.ServerResponseFilter;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.introspect.BeanPropertyDefinition;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.million.web.format.Cbor;
import io.million.web.format.Format;
import io.million.web.paging.Page;
import io.million.web.problem.Problem;
import io.million.web.problem.ProblemMappers;
import io.smallrye.mutiny.Uni;
import io.vertx.core.http.HttpServerRequest;

/**
 * Sparse fieldsets: {@code ?fields=a,b} keeps only those top-level fields of the resource (of each
 * item, for a {@link Page}). Names are checked against the declared response type before the
 * resource runs, so an unknown name is a 400 naming it and a write is never done for a request
 * that is then refused. Requests without {@code fields} pay one query-parameter lookup.
 * <p>
 * One representation, one entity tag: a selection is a representation of its own, so its strong
 * ETag is the full one's with the sorted names appended ({@code "7"} becomes {@code "7+name+sku"}),
 * and {@code If-None-Match} is evaluated here against that tag (the resource never sees it, so no
 * cache can validate a selection with the full representation's tag or the other way round).
 * <p>
 * The same holds for the format ({@link Format}): a CBOR answer's tag is the JSON one's with
 * {@code .cbor} appended, evaluated here too, so one filter decides the final tag of every
 * representation (selection, then format). Every read also says {@code Vary: Accept}.
 */
public class FieldSelection {

    static final String PARAM = "fields";
    private static final String SELECTED = FieldSelection.class.getName();
    private static final String IF_NONE_MATCH = "If-None-Match";
    private static final String CONDITION = SELECTED + ".if-none-match";
    private static final String FORMAT = SELECTED + ".format";
    /** Marks a method whose response type could not be resolved: no validation, filter on output. */
    private static final Set<String> ANY = Set.of();

    private final ObjectMapper json;
    private final Cbor cbor;
    private final ProblemMappers problems;
    private final Map<Method, Set<String>> fieldsByMethod = new ConcurrentHashMap<>();

    @Inject
    public FieldSelection(ObjectMapper json, Cbor cbor, ProblemMappers problems) {
        this.json = json;
        this.cbor = cbor;
        this.problems = problems;
    }

    @ServerRequestFilter
    public Response validate(ContainerRequestContext context, ResourceInfo resource, HttpServerRequest request) {
        String raw = request.getParam(PARAM);
        // The Accept of a /v1/ request is already the one type negotiated (format/AcceptFilter).
        boolean binary = Format.CBOR_TYPE.equals(request.getHeader(jakarta.ws.rs.core.HttpHeaders.ACCEPT));
        if (binary) {
            context.setProperty(FORMAT, Format.CBOR);
        }
        if (raw == null) {
            if (binary) {
                stashCondition(context, request);
            }
            return null;
        }
        Set<String> selected = new LinkedHashSet<>();
        for (String name : raw.split(",")) {
            if (!name.isBlank()) {
                selected.add(name.trim());
            }
        }
        if (selected.isEmpty()) {
            return problems.render(fieldsProblem("must name at least one field"), Map.of(), request);
        }
        Method method = resource.getResourceMethod();
        Set<String> known = method == null ? ANY : fieldsByMethod.computeIfAbsent(method, this::declaredFields);
        if (known != ANY) {
            List<String> unknown = selected.stream().filter(name -> !known.contains(name)).toList();
            if (!unknown.isEmpty()) {
                return problems.render(fieldsProblem("unknown field(s) " + String.join(", ", unknown)
                        + "; known: " + String.join(", ", known)), Map.of(), request);
            }
        }
        context.setProperty(SELECTED, selected);
        stashCondition(context, request);
        return null;
    }

    /** The resource must not answer If-None-Match with its own tag: the tag of this variant is decided here. */
    private static void stashCondition(ContainerRequestContext context, HttpServerRequest request) {
        String ifNoneMatch = request.headers().get(IF_NONE_MATCH);
        if (ifNoneMatch != null) {
            context.setProperty(CONDITION, ifNoneMatch);
            request.headers().remove(IF_NONE_MATCH);
        }
    }

    @ServerResponseFilter
    public void select(ContainerRequestContext request, ContainerResponseContext response) {
        if ("GET".equals(request.getMethod()) || "HEAD".equals(request.getMethod())) {
            response.getHeaders().add(jakarta.ws.rs.core.HttpHeaders.VARY, jakarta.ws.rs.core.HttpHeaders.ACCEPT);
        }
        Object selection = request.getProperty(SELECTED);
        Format format = request.getProperty(FORMAT) == Format.CBOR ? Format.CBOR : Format.JSON;
        if ((selection == null && format == Format.JSON) || !response.hasEntity()
                || response.getStatusInfo().getFamily() != Response.Status.Family.SUCCESSFUL) {
            return;
        }
        Object etag = response.getHeaders().getFirst("ETag");
        if (etag != null) {
            String tag = format.etag(selection instanceof Set<?> selected ? variantTag(etag.toString(), selected)
                    : etag.toString());
            response.getHeaders().putSingle("ETag", tag);
            Object condition = request.getProperty(CONDITION);
            if (condition != null && io.million.web.Preconditions.matches(condition.toString(), tag)) {
                response.setStatus(304);
                response.setEntity(null);
                return;
            }
        }
        if (!(selection instanceof Set<?> selected)) {
            return;
        }
        Object entity = response.getEntity();
        JsonNode tree = entity instanceof byte[] bytes ? readTree(bytes, format) : json.valueToTree(entity);
        if (tree == null) {
            return;
        }
        JsonNode items = entity instanceof Page<?> ? tree.get("items") : tree;
        if (items != null && items.isArray()) {
            items.forEach(item -> retain(item, selected));
        } else {
            retain(items, selected);
        }
        response.setEntity(tree);
    }

    /** The strong tag of a selection: the full representation's, plus the sorted field names. */
    static String variantTag(String etag, Set<?> selected) {
        StringBuilder tag = new StringBuilder(etag.length() + 16);
        boolean quoted = etag.length() >= 2 && etag.endsWith("\"");
        tag.append(etag, 0, quoted ? etag.length() - 1 : etag.length());
        selected.stream().map(Object::toString).sorted().distinct().forEach(name -> tag.append('+').append(
                name.chars().allMatch(c -> c < 128 && (Character.isLetterOrDigit(c) || c == '_')) ? name
                        : Integer.toHexString(name.hashCode())));
        return quoted ? tag.append('"').toString() : tag.toString();
    }

    private static void retain(JsonNode node, Set<?> selected) {
        if (node instanceof ObjectNode object) {
            object.retain(selected.stream().map(Object::toString).toList());
        }
    }

    /** A pre-serialized body, in the format it was written in. */
    private JsonNode readTree(byte[] bytes, Format format) {
        try {
            return cbor.readTree(bytes, format);
        } catch (java.io.IOException e) {
            return null;
        }
    }

    private static Problem fieldsProblem(String message) {
        return new Problem("about:blank", "Bad Request", 400, "Invalid fields: " + message, null,
                List.of(new Problem.FieldError(PARAM, message)));
    }

    /** Top-level JSON property names of the type a resource method returns, unwrapping wrappers. */
    private Set<String> declaredFields(Method method) {
        Fields declared = method.getAnnotation(Fields.class);
        Type type = declared != null ? declared.value() : unwrap(method.getGenericReturnType());
        if (type == null || type == Object.class || type == Response.class) {
            return ANY;
        }
        var description = json.getSerializationConfig().introspect(json.constructType(type));
        Set<String> names = new LinkedHashSet<>();
        for (BeanPropertyDefinition property : description.findProperties()) {
            if (property.couldSerialize()) {
                names.add(property.getName());
            }
        }
        return names.isEmpty() ? ANY : java.util.Collections.unmodifiableSet(names);
    }

    private static Type unwrap(Type type) {
        while (type instanceof ParameterizedType parameterized) {
            Type raw = parameterized.getRawType();
            if (raw instanceof Class<?> cls && (Uni.class.isAssignableFrom(cls)
                    || CompletionStage.class.isAssignableFrom(cls) || RestResponse.class.isAssignableFrom(cls)
                    || Page.class.isAssignableFrom(cls) || Collection.class.isAssignableFrom(cls))) {
                type = parameterized.getActualTypeArguments()[0];
            } else {
                return type;
            }
        }
        return type instanceof Class<?> cls && (cls == Uni.class || cls == RestResponse.class) ? null : type;
    }
}
