package io.million.web;

import io.million.web.problem.Problem;
import io.million.web.problem.ProblemException;

/**
 * Conditional requests (RFC 9110 section 13) on strong entity tags made from a row version:
 * {@code If-None-Match} for cheap revalidation (304) and {@code If-Match} against lost updates (412).
 */
public final class Preconditions {

    private Preconditions() {
    }

    /** The strong entity tag of a representation at {@code version}, quoted as sent on the wire. */
    public static String etag(long version) {
        return "\"" + version + "\"";
    }

    /** True when an {@code If-None-Match} or {@code If-Match} header lists {@code etag} or is {@code *}. */
    public static boolean matches(String header, String etag) {
        if (header == null) {
            return false;
        }
        for (String candidate : header.split(",")) {
            String tag = candidate.strip();
            if (tag.equals("*") || tag.equals(etag)) {
                return true; // strong comparison: a weak W/"..." tag never matches
            }
        }
        return false;
    }

    /**
     * True when an {@code If-Match} header names the version of {@code etag} in any format: the
     * JSON and CBOR tags of one version ({@code "7"}, {@code "7.cbor"}) name the same state.
     */
    static boolean matchesVersion(String header, String etag) {
        for (String candidate : header.split(",")) {
            String tag = candidate.strip();
            if (tag.equals("*") || tag.equals(etag) || io.million.web.format.Format.jsonTag(tag).equals(etag)) {
                return true;
            }
        }
        return false;
    }

    /**
     * Enforces {@code If-Match} when the client sent one (the tag of any format of the current version).
     *
     * @throws ProblemException 412 when the current version is not the one the client has
     */
    public static void checkIfMatch(String ifMatch, long currentVersion) {
        if (ifMatch != null && !matchesVersion(ifMatch, etag(currentVersion))) {
            throw new ProblemException(Problem.of(412, "Precondition Failed",
                    "The resource changed since you read it (now " + etag(currentVersion) + "); read it again"));
        }
    }
}
