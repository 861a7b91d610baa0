package io.million.web.problem;

import java.util.List;

import com.fasterxml.jackson.annotation.JsonInclude;

import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * An RFC 9457 problem detail, the body of every error response ({@code application/problem+json}).
 * {@code errors} lists the offending fields of a validation failure; it is absent otherwise.
 */
@RegisterForReflection
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Problem(String type, String title, int status, String detail, String instance,
        List<FieldError> errors) {

    public static final String MEDIA_TYPE = "application/problem+json";

    /** One rejected input: {@code field} is the JSON property, query or path parameter name. */
    @RegisterForReflection
    public record FieldError(String field, String message) {
    }

    public static Problem of(int status, String title, String detail) {
        return new Problem("about:blank", title, status, detail, null, null);
    }

    public Problem withInstance(String path) {
        return new Problem(type, title, status, detail, path, errors);
    }
}
