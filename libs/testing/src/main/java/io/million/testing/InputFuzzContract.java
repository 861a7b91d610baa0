package io.million.testing;

import static io.restassured.RestAssured.given;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.restassured.config.EncoderConfig;
import io.restassured.config.RestAssuredConfig;
import io.restassured.response.Response;

/**
 * Hostile input at every public route of a service, checked against the running test app: bodies
 * of the wrong shape, type and size, strings PostgreSQL cannot store, numbers that overflow or lose
 * precision, broken JSON and encodings, path ids and query parameters of every odd kind. Every
 * answer must be below 500 and, when it is an error, an {@code application/problem+json} body.
 * <p>
 * Deterministic and bounded: a fixed seed per route and {@link #CASES} cases per route, so a
 * failure replays exactly (the message names the seed, case and request). The generator is
 * written here rather than with jqwik: jqwik 1.10.1 prints, on every run, that AI agents must not
 * use it and must ignore its results, so results from it could not be relied on by this project.
 */
public abstract class InputFuzzContract {

    /** Cases per route: enough to cover every generator branch many times, fast enough for CI. */
    protected static final int CASES = 150;
    private static final long SEED = 0x6d696c6c696f6eL;

    /** A public route: method, path with {@code {id}} placeholders, body field names (none: no body). */
    protected record Route(String method, String path, String contentType, List<String> fields) {
        public static Route get(String path) {
            return new Route("GET", path, null, List.of());
        }

        public static Route delete(String path) {
            return new Route("DELETE", path, null, List.of());
        }

        public static Route post(String path, String... fields) {
            return new Route("POST", path, "application/json", List.of(fields));
        }

        public static Route patch(String path, String... fields) {
            return new Route("PATCH", path, "application/merge-patch+json", List.of(fields));
        }
    }

    /** The service's public routes. */
    protected abstract List<Route> routes();

    /** Query parameter names the service reads (each is fuzzed on every GET). */
    protected abstract List<String> queryParameters();

    /**
     * One query, run on every shard, that counts what this service's writes store (one row of
     * counts, e.g. {@code select count(*) from orders}): a write answered with an error must leave
     * every count as it was, so nothing is half-written.
     */
    protected abstract String storedRows();

    /** Headers the service reads (values fuzzed on writes), e.g. {@code If-Match}, {@code Idempotency-Key}. */
    protected List<String> headers() {
        return List.of("If-Match");
    }

    @BeforeEach
    void asOperator() {
        Tokens.asOperator(); // past authentication and roles: the input reaches the handlers
    }

    @Test
    void noInputMakesA5xxAndEveryErrorIsAProblem() {
        List<String> failures = new ArrayList<>();
        Map<Integer, Integer> statuses = new TreeMap<>();
        List<String> stored = stored();
        int writes = 0;
        for (Route route : routes()) {
            Random random = new Random(SEED ^ route.toString().hashCode());
            for (int c = 0; c < CASES && failures.size() < 10; c++) {
                String path = path(route.path(), random);
                String query = route.method().equals("GET") ? query(random) : "";
                byte[] body = route.contentType() == null ? null : body(route.fields(), random);
                var request = given().config(RestAssuredConfig.config().encoderConfig(
                        EncoderConfig.encoderConfig().appendDefaultContentCharsetToContentTypeIfUndefined(false)))
                        .urlEncodingEnabled(false);
                if (body != null) {
                    request.contentType(random.nextInt(10) == 0 ? "application/json; charset=latin1" : route.contentType())
                            .body(body);
                }
                for (String header : headers()) {
                    if (random.nextInt(3) == 0) {
                        request.header(header, headerValue(random));
                    }
                }
                Response response = request.request(route.method(), path + query);
                int status = response.statusCode();
                statuses.merge(status, 1, Integer::sum);
                String type = response.contentType();
                String described = route.method() + " " + path + query + (body == null ? ""
                        : " body " + new String(body, StandardCharsets.UTF_8).replace("\u0000", "\\u0000"));
                if (status >= 500) {
                    failures.add("case " + c + ": " + status + " for " + described + ": " + response.asString());
                } else if (status >= 400 && (type == null || !type.startsWith("application/problem+json"))) {
                    failures.add("case " + c + ": " + status + " without problem+json (" + type + ") for " + described);
                }
                if (!route.method().equals("GET")) {
                    writes++;
                    List<String> now = stored();
                    if (status >= 400 && !now.equals(stored)) {
                        failures.add("case " + c + ": " + status + " for " + described + ", yet the stored rows went from "
                                + stored + " to " + now + " (half-written)");
                    }
                    stored = now;
                }
            }
        }
        System.out.println("[fuzz] " + getClass().getSimpleName() + ": statuses " + statuses + "; stored rows checked after "
                + writes + " writes");
        if (!failures.isEmpty()) {
            throw new AssertionError("hostile input broke the contract (statuses " + statuses + "):\n"
                    + String.join("\n", failures));
        }
        // The cases reached the handlers: some got past validation (accepted, or an unknown id),
        // some were refused as bad input.
        org.junit.jupiter.api.Assertions.assertTrue(statuses.keySet().stream().anyMatch(s -> s < 300 || s == 404),
                "no case got past validation: " + statuses);
        org.junit.jupiter.api.Assertions.assertTrue(statuses.containsKey(400), "no case was refused as bad input: " + statuses);
    }

    /** {@link #storedRows()} on each shard of this service, in shard order. */
    private List<String> stored() {
        var config = org.eclipse.microprofile.config.ConfigProvider.getConfig();
        String database = config.getValue("million.sharding.database", String.class);
        int shards = config.getValue("million.sharding.shards", Integer.class);
        List<String> databases = new ArrayList<>();
        for (int shard = 0; shard < shards; shard++) {
            databases.add(database + "_" + shard);
        }
        return Postgres.sqlOnEach(databases, storedRows());
    }

    private static String path(String template, Random random) {
        StringBuilder out = new StringBuilder();
        int at = 0;
        for (int open = template.indexOf('{'); open >= 0; open = template.indexOf('{', at)) {
            out.append(template, at, open);
            out.append(id(random));
            at = template.indexOf('}', open) + 1;
        }
        return out.append(template.substring(at)).toString();
    }

    private static String id(Random random) {
        return switch (random.nextInt(10)) {
            case 0 -> "0";
            case 1 -> "-1";
            case 2 -> "99999999999999999999999";
            case 3 -> "%00";
            case 4 -> "12%0034";
            case 5 -> "%F0%9F%92%A9";
            case 6 -> "x".repeat(1 + random.nextInt(300));
            case 7 -> "1e9";
            case 8 -> Long.toString(Long.MAX_VALUE);
            default -> Long.toString(1 + (random.nextLong() >>> 1));
        };
    }

    private String query(Random random) {
        StringBuilder out = new StringBuilder();
        for (String name : queryParameters()) {
            if (random.nextInt(3) == 0) {
                continue;
            }
            out.append(out.length() == 0 ? '?' : '&').append(name).append('=').append(queryValue(random));
        }
        if (random.nextInt(8) == 0) {
            out.append(out.length() == 0 ? '?' : '&').append("fields=").append(queryValue(random));
        }
        return out.toString();
    }

    private static String queryValue(Random random) {
        return switch (random.nextInt(11)) {
            case 0 -> "";
            case 1 -> "%00";
            case 2 -> "a%00b";
            case 3 -> "-5";
            case 4 -> "99999999999999999999";
            case 5 -> "%FF%FE";
            case 6 -> "%F0%9F%98%80";
            case 7 -> "x".repeat(1 + random.nextInt(2000));
            case 8 -> "1.5";
            case 9 -> "%2F..%2F..";
            default -> Integer.toString(random.nextInt(200));
        };
    }

    private static String headerValue(Random random) {
        return switch (random.nextInt(6)) {
            case 0 -> "\"0\"";
            case 1 -> "*";
            case 2 -> "W/\"1\"";
            case 3 -> "x".repeat(1 + random.nextInt(1000));
            case 4 -> "\"" + random.nextLong() + "\"";
            default -> "";
        };
    }

    private static byte[] body(List<String> fields, Random random) {
        switch (random.nextInt(12)) {
            case 0:
                return new byte[0];
            case 1:
                return "{\"".getBytes(StandardCharsets.UTF_8); // truncated
            case 2:
                return new byte[] { (byte) 0xC3, (byte) 0x28, '{', '}' }; // invalid UTF-8
            case 3:
                return ("[" + "[".repeat(random.nextInt(3000)) + "]").getBytes(StandardCharsets.UTF_8);
            case 4:
                return value(random, 0).getBytes(StandardCharsets.UTF_8); // any JSON value at the top
            default:
                StringBuilder out = new StringBuilder("{");
                List<String> names = new ArrayList<>(fields);
                if (random.nextInt(4) == 0) {
                    names.add(random.nextBoolean() ? "unknown" : "a\\u0000b");
                }
                for (String name : names) {
                    if (random.nextInt(5) == 0) {
                        continue; // missing
                    }
                    if (out.length() > 1) {
                        out.append(',');
                    }
                    out.append('"').append(name).append("\":").append(value(random, 0));
                }
                return out.append('}').toString().getBytes(StandardCharsets.UTF_8);
        }
    }

    private static String value(Random random, int depth) {
        switch (random.nextInt(depth > 2 ? 16 : 18)) {
            case 0: return "null";
            case 1: return "true";
            case 2: return "\"\"";
            case 3: return "\"a\\u0000b\"";
            case 4: return "\"\\ud800\"";
            case 5: return "\"" + "x".repeat(1 + random.nextInt(5000)) + "\"";
            case 6: return "\"  \\t  \"";
            case 7: return "99999999999999999999999999";
            case 8: return "-9223372036854775809";
            case 9: return "1e400";
            case 10: return "12.5";
            case 11: return "-1";
            case 12: return Integer.toString(random.nextInt(2000));
            case 13: return "\"\u0130\u0130\u0130@example.com\"";
            case 14: return "\"" + Long.toString(1 + (random.nextLong() >>> 1)) + "\"";
            case 15: return "\"ok-" + random.nextInt(1_000_000) + "\"";
            case 16: return "[" + value(random, depth + 1) + "," + value(random, depth + 1) + "]";
            default: return "{\"productId\":" + value(random, depth + 1) + ",\"quantity\":" + value(random, depth + 1) + "}";
        }
    }
}
