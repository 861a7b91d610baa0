package io.million.ratelimit;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.redis.client.Command;
import io.vertx.mutiny.redis.client.Redis;
import io.vertx.mutiny.redis.client.Request;
import io.vertx.mutiny.redis.client.Response;

/**
 * The shared counts in Redis: one Lua script ({@code ratelimit/sync.lua}) applies any number of
 * keys atomically, as a hybrid sync (add what replicas admitted) or a strict decision (take one
 * if allowed). Every call is bounded by the configured timeout.
 */
final class RedisCounts {

    static final String SCRIPT = load();

    private final Redis redis;
    private final Duration timeout;

    RedisCounts(Redis redis, Duration timeout) {
        this.redis = redis;
        this.timeout = timeout;
    }

    /** The state of one key after the script ran. */
    record State(boolean allowed, double level, double previous, long elapsedMillis) {
    }

    /** Runs the script for {@code keys} with {@code deltas} ({@code -1}: strict, take one). */
    Uni<List<State>> apply(List<Policy> policies, List<String> keys, long[] deltas) {
        Request request = Request.cmd(Command.EVAL).arg(SCRIPT).arg(keys.size());
        for (String key : keys) {
            request.arg(key);
        }
        for (int i = 0; i < keys.size(); i++) {
            Policy policy = policies.get(i);
            request.arg(policy.algorithm() == RateLimitConfig.Algorithm.TOKEN_BUCKET ? "t" : "s")
                    .arg(deltas[i]).arg(policy.limit()).arg(Math.max(1, policy.window().toMillis()))
                    .arg(policy.burst());
        }
        return redis.send(request).ifNoItem().after(timeout).fail().map(response -> {
            List<State> states = new ArrayList<>(response.size());
            for (int i = 0; i < response.size(); i++) {
                Response entry = response.get(i);
                states.add(new State(entry.get(0).toInteger() == 1, Double.parseDouble(entry.get(1).toString()),
                        Double.parseDouble(entry.get(2).toString()), entry.get(3).toLong()));
            }
            return states;
        });
    }

    private static String load() {
        try (InputStream in = RedisCounts.class.getClassLoader().getResourceAsStream("ratelimit/sync.lua")) {
            if (in == null) {
                throw new IllegalStateException("ratelimit/sync.lua is missing from the class path");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
