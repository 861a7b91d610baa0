package io.million.web.problem;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

import jakarta.inject.Inject;
import jakarta.validation.ConstraintViolation;
import jakarta.validation.ConstraintViolationException;
import jakarta.validation.ElementKind;
import jakarta.validation.Path;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.Response;

import org.eclipse.microprofile.faulttolerance.exceptions.FaultToleranceException;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.RestResponse;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.exc.ValueInstantiationException;

import io.vertx.core.http.HttpServerRequest;

/**
 * Turns every failure that reaches a REST resource into an RFC 9457 {@code application/problem+json}
 * response. Contract: bad input is a 4xx naming the offending field; a dependency that is down is a
 * 503 with {@code Retry-After}; anything else is a 500 whose body carries no stack trace or
 * exception text (the log has them).
 */
public class ProblemMappers {

    private static final Logger LOG = Logger.getLogger(ProblemMappers.class);
    /** Seconds a client should wait before retrying after a dependency failure. */
    static final int RETRY_AFTER_SECONDS = 1;

    private final ObjectMapper json;
    private static final java.util.Set<Class<?>> WHOLE_NUMBERS = java.util.Set.of(Long.class, long.class,
            Integer.class, int.class, Short.class, short.class);

    @Inject
    public ProblemMappers(ObjectMapper json) {
        this.json = json;
    }

    @ServerExceptionMapper
    public Response problem(ProblemException e, HttpServerRequest request) {
        return render(e.problem(), e.headers(), request);
    }

    @ServerExceptionMapper
    public Response webApplication(WebApplicationException e, HttpServerRequest request) {
        if (e.getCause() instanceof JsonProcessingException json) {
            return malformedJson(json, request); // the JSON reader wraps parse errors in a 400
        }
        Response original = e.getResponse();
        int status = original.getStatus();
        Response.StatusType type = Response.Status.fromStatusCode(status);
        String title = type != null ? type.getReasonPhrase() : "HTTP " + status;
        if (status >= 500) {
            LOG.errorf(e, "%s %s failed with %d", request.method(), request.path(), status);
        }
        Map<String, String> headers = new java.util.HashMap<>();
        // Keep protocol headers the client needs to act on the error (405 Allow, 503 Retry-After).
        for (String name : List.of("Allow", "Retry-After", "WWW-Authenticate")) {
            String value = original.getHeaderString(name);
            if (value != null) {
                headers.put(name, value);
            }
        }
        String detail = switch (status) {
            case 400 -> "The request is malformed";
            case 404 -> "No resource at " + request.path();
            case 405 -> request.method() + " is not supported on " + request.path();
            case 406 -> "No representation matches the Accept header";
            default -> null;
        };
        if (status == 415) {
            detail = "Content-Type " + request.getHeader("Content-Type") + " is not accepted here";
        }
        return render(Problem.of(status, title, detail), headers, request);
    }

    @ServerExceptionMapper({ JsonParseException.class, MismatchedInputException.class,
            InvalidFormatException.class, UnrecognizedPropertyException.class,
            ValueInstantiationException.class, JsonMappingException.class, JsonProcessingException.class })
    public Response malformedJson(JsonProcessingException e, HttpServerRequest request) {
        if (e instanceof JsonMappingException mapping && !mapping.getPath().isEmpty()) {
            String field = jsonPath(mapping.getPath());
            String message;
            if (e instanceof UnrecognizedPropertyException) {
                message = "is not a known property";
            } else if (e instanceof InvalidFormatException invalid && invalid.getValue() instanceof String text
                    && UnstorableText.contains(text)) {
                message = UnstorableText.MESSAGE;
            } else if (e instanceof InvalidFormatException invalid && WHOLE_NUMBERS.contains(invalid.getTargetType())) {
                message = "must be a whole number";
            } else if (e instanceof InvalidFormatException invalid) {
                message = "must be of type " + invalid.getTargetType().getSimpleName();
            } else if (e.getCause() instanceof com.fasterxml.jackson.core.exc.InputCoercionException) {
                message = "is out of range";
            } else if (e instanceof MismatchedInputException mismatched && mismatched.getTargetType() != null) {
                message = "must be of type " + mismatched.getTargetType().getSimpleName();
            } else {
                message = "has an invalid value";
            }
            return render(fieldProblem(List.of(new Problem.FieldError(field, message))), Map.of(), request);
        }
        if (e instanceof com.fasterxml.jackson.core.exc.InputCoercionException coercion
                && coercion.getProcessor() != null && coercion.getProcessor().getParsingContext() != null
                && coercion.getProcessor().getParsingContext().getCurrentName() != null) {
            // A number beyond the field's range (Jackson reports the parser, not a property path).
            return render(fieldProblem(List.of(new Problem.FieldError(
                    coercion.getProcessor().getParsingContext().getCurrentName(), "is out of range"))), Map.of(), request);
        }
        return render(Problem.of(400, "Bad Request", "The request body is not valid JSON"), Map.of(), request);
    }

    @ServerExceptionMapper({ ConstraintViolationException.class,
            io.quarkus.hibernate.validator.runtime.jaxrs.ResteasyReactiveViolationException.class })
    public Response invalid(ConstraintViolationException e, HttpServerRequest request) {
        List<Problem.FieldError> errors = new ArrayList<>();
        for (ConstraintViolation<?> violation : e.getConstraintViolations()) {
            if (isReturnValue(violation.getPropertyPath())) {
                // The server produced an invalid response: a bug, not the client's fault.
                LOG.errorf("%s %s returned an invalid value: %s", request.method(), request.path(), violation);
                return render(Problem.of(500, "Internal Server Error", null), Map.of(), request);
            }
            errors.add(new Problem.FieldError(fieldName(violation.getPropertyPath()), violation.getMessage()));
        }
        errors.sort(Comparator.comparing(Problem.FieldError::field).thenComparing(Problem.FieldError::message));
        return render(fieldProblem(errors), Map.of(), request);
    }

    @ServerExceptionMapper(priority = jakarta.ws.rs.Priorities.USER + 1000)
    public Response unexpected(Throwable e, HttpServerRequest request) {
        if (isDependencyDown(e)) {
            LOG.warnf("%s %s: dependency unavailable: %s", request.method(), request.path(), e.toString());
            return render(Problem.of(503, "Service Unavailable", "A backing store is unavailable; retry shortly"),
                    Map.of("Retry-After", Integer.toString(RETRY_AFTER_SECONDS)), request);
        }
        if (ConcurrentChange.is(e)) {
            LOG.debugf("%s %s lost a race: %s", request.method(), request.path(), e.toString());
            return render(ConcurrentChange.problem(), Map.of(), request);
        }
        if (UnstorableText.is(e)) {
            return render(UnstorableText.problem(), Map.of(), request);
        }
        LOG.errorf(e, "%s %s failed", request.method(), request.path());
        return render(Problem.of(500, "Internal Server Error", null), Map.of(), request);
    }

    /** Builds the response; also used by the HTTP-level fallback for requests no resource matched. */
    public Response render(Problem problem, Map<String, String> headers, HttpServerRequest request) {
        Problem body = problem.instance() == null && request != null ? problem.withInstance(request.path()) : problem;
        Response.ResponseBuilder builder = Response.status(body.status()).type(Problem.MEDIA_TYPE)
                .entity(bytes(body));
        headers.forEach(builder::header);
        return builder.build();
    }

    /**
     * Sends a problem from a Vert.x route (the hot path, the operator API, unmatched paths): the
     * same body and headers a REST resource would answer with.
     */
    public void send(io.vertx.ext.web.RoutingContext ctx, Problem problem, Map<String, String> headers) {
        Problem body = problem.instance() == null ? problem.withInstance(ctx.request().path()) : problem;
        var response = ctx.response().setStatusCode(body.status()).putHeader("Content-Type", Problem.MEDIA_TYPE);
        headers.forEach(response::putHeader);
        response.end(io.vertx.core.buffer.Buffer.buffer(bytes(body)));
    }

    /**
     * A problem a route answers at a high rate (load shedding's 503, thousands a second under
     * overload, when every microsecond spent refusing is taken from the requests admitted):
     * serialized once, so each answer only quotes the request's path into the {@code instance}
     * member, and its headers pre-encoded. The body is the one {@link #send} writes.
     */
    public Prepared prepare(Problem problem, Map<String, String> headers) {
        var utf8 = java.nio.charset.StandardCharsets.UTF_8;
        String whole = new String(bytes(problem.withInstance("")), utf8);
        String member = "\"instance\":\"\"";
        int at = whole.indexOf(member);
        if (at < 0 || at != whole.lastIndexOf(member)) {
            throw new IllegalStateException("cannot find the instance member once in " + whole);
        }
        int split = at + member.length() - 1; // just before the closing quote of the empty instance
        List<CharSequence> names = new ArrayList<>();
        List<CharSequence> values = new ArrayList<>();
        names.add(io.vertx.core.http.HttpHeaders.createOptimized("Content-Type"));
        values.add(io.vertx.core.http.HttpHeaders.createOptimized(Problem.MEDIA_TYPE));
        headers.forEach((name, value) -> {
            names.add(io.vertx.core.http.HttpHeaders.createOptimized(name));
            values.add(io.vertx.core.http.HttpHeaders.createOptimized(value));
        });
        return new Prepared(problem.status(), whole.substring(0, split).getBytes(utf8),
                whole.substring(split).getBytes(utf8), names.toArray(CharSequence[]::new),
                values.toArray(CharSequence[]::new));
    }

    /** See {@link #prepare}. */
    public record Prepared(int status, byte[] head, byte[] tail, CharSequence[] names, CharSequence[] values) {
        public void send(io.vertx.ext.web.RoutingContext ctx) {
            var response = ctx.response().setStatusCode(status);
            for (int i = 0; i < names.length; i++) {
                response.putHeader(names[i], values[i]);
            }
            response.end(body(ctx.request().path()));
        }

        /** The body for a request to {@code path}: the bytes {@link ProblemMappers#send} would write. */
        public io.vertx.core.buffer.Buffer body(String path) {
            byte[] instance = com.fasterxml.jackson.core.io.JsonStringEncoder.getInstance().quoteAsUTF8(path);
            return io.vertx.core.buffer.Buffer.buffer(head.length + instance.length + tail.length)
                    .appendBytes(head).appendBytes(instance).appendBytes(tail);
        }
    }

    /** A failure from a Vert.x route as a problem: like {@link #unexpected}, for non-REST routes. */
    public void sendFailure(io.vertx.ext.web.RoutingContext ctx, Throwable e) {
        if (e instanceof ProblemException problem) {
            send(ctx, problem.problem(), problem.headers());
        } else if (e instanceof ConstraintViolationException violations) {
            send(ctx, fieldProblem(violations), Map.of());
        } else if (isDependencyDown(e)) {
            send(ctx, Problem.of(503, "Service Unavailable", "A backing store is unavailable; retry shortly"),
                    Map.of("Retry-After", Integer.toString(RETRY_AFTER_SECONDS)));
        } else if (ConcurrentChange.is(e)) {
            send(ctx, ConcurrentChange.problem(), Map.of());
        } else if (UnstorableText.is(e)) {
            send(ctx, UnstorableText.problem(), Map.of());
        } else {
            LOG.errorf(e, "%s %s failed", ctx.request().method(), ctx.request().path());
            send(ctx, Problem.of(500, "Internal Server Error", null), Map.of());
        }
    }

    /** A 400 naming each field of a bean-validation failure. */
    public static Problem fieldProblem(ConstraintViolationException e) {
        List<Problem.FieldError> errors = new ArrayList<>();
        for (ConstraintViolation<?> violation : e.getConstraintViolations()) {
            errors.add(new Problem.FieldError(fieldName(violation.getPropertyPath()), violation.getMessage()));
        }
        errors.sort(Comparator.comparing(Problem.FieldError::field).thenComparing(Problem.FieldError::message));
        return fieldProblem(errors);
    }

    public byte[] bytes(Problem problem) {
        try {
            return json.writeValueAsBytes(problem);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a Problem is always serializable", e);
        }
    }

    static Problem fieldProblem(List<Problem.FieldError> errors) {
        String fields = String.join(", ", errors.stream().map(Problem.FieldError::field).distinct().toList());
        return new Problem("about:blank", "Bad Request", 400, "Invalid input: " + fields, null, errors);
    }

    static boolean isDependencyDown(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof FaultToleranceException) {
                return true;
            }
        }
        return Unavailable.is(e);
    }

    private static boolean isReturnValue(Path path) {
        for (Path.Node node : path) {
            if (node.getKind() == ElementKind.RETURN_VALUE) {
                return true;
            }
        }
        return false;
    }

    /** The client-facing name: body properties joined by dots, else the query/path parameter. */
    static String fieldName(Path path) {
        StringBuilder properties = new StringBuilder();
        String parameter = null;
        for (Path.Node node : path) {
            switch (node.getKind()) {
                case PARAMETER -> parameter = node.getName();
                case PROPERTY, CONTAINER_ELEMENT -> {
                    if (node.getName() == null) {
                        break;
                    }
                    if (node.getIndex() != null && properties.length() > 0) {
                        properties.append('[').append(node.getIndex()).append(']');
                    }
                    if (properties.length() > 0) {
                        properties.append('.');
                    }
                    properties.append(node.getName());
                }
                default -> {
                }
            }
        }
        if (properties.length() > 0) {
            return properties.toString();
        }
        return parameter != null ? parameter : path.toString();
    }

    private static String jsonPath(List<JsonMappingException.Reference> path) {
        StringBuilder out = new StringBuilder();
        for (JsonMappingException.Reference ref : path) {
            if (ref.getFieldName() != null) {
                if (out.length() > 0) {
                    out.append('.');
                }
                out.append(ref.getFieldName());
            } else if (ref.getIndex() >= 0) {
                out.append('[').append(ref.getIndex()).append(']');
            }
        }
        return out.toString();
    }
}
