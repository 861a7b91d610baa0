package io.million.web.problem;

import java.util.List;

/**
 * Thrown by application code to answer with a specific problem; rendered by {@link ProblemMappers}.
 * No stack trace is captured: these are expected outcomes (404, 409, 400), not bugs.
 */
public class ProblemException extends RuntimeException {

    private final transient Problem problem;
    private final transient java.util.Map<String, String> headers;

    public ProblemException(Problem problem) {
        this(problem, java.util.Map.of());
    }

    public ProblemException(Problem problem, java.util.Map<String, String> headers) {
        this(problem, headers, null);
    }

    /** With the failure behind it, for the log; the client sees only the problem. */
    public ProblemException(Problem problem, java.util.Map<String, String> headers, Throwable cause) {
        super(problem.title() + (problem.detail() == null ? "" : ": " + problem.detail()), cause, false, false);
        this.problem = problem;
        this.headers = headers;
    }

    public Problem problem() {
        return problem;
    }

    /** Extra response headers, such as {@code Retry-After} on a 503. */
    public java.util.Map<String, String> headers() {
        return headers;
    }

    public static ProblemException notFound(String detail) {
        return new ProblemException(Problem.of(404, "Not Found", detail));
    }

    public static ProblemException conflict(String detail) {
        return new ProblemException(Problem.of(409, "Conflict", detail));
    }

    /** A 422: the request is well-formed but contradicts what the server already holds. */
    public static ProblemException unprocessable(String detail) {
        return new ProblemException(Problem.of(422, "Unprocessable Content", detail));
    }

    /** A 400 naming the offending input (a query or body field). */
    public static ProblemException badInput(String field, String message) {
        return new ProblemException(new Problem("about:blank", "Bad Request", 400,
                "Invalid " + field + ": " + message, null, List.of(new Problem.FieldError(field, message))));
    }
}
