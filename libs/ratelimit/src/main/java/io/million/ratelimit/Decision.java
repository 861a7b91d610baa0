package io.million.ratelimit;

/**
 * The answer for one request: admitted or not, what remains of the quota, and in how many seconds
 * the quota is (partly) back, as the {@code RateLimit} header and {@code Retry-After} report them.
 * {@code unavailable} means the policy fails closed and its shared count cannot be read (503).
 */
public record Decision(Policy policy, boolean allowed, long remaining, long resetSeconds, boolean unavailable) {

    static Decision unavailable(Policy policy) {
        return new Decision(policy, false, 0, 1, true);
    }

    /** {@code "name";r=7;t=1}. */
    public String header() {
        return "\"" + policy.name() + "\";r=" + remaining + ";t=" + resetSeconds;
    }
}
