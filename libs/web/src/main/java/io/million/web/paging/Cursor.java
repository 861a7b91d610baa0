package io.million.web.paging;

import java.nio.charset.StandardCharsets;
import java.util.Base64;

import io.million.web.problem.ProblemException;

/**
 * Opaque keyset cursors: the sort key of the last item seen, versioned and base64url-encoded so
 * clients cannot depend on its shape. Keyset (not offset) paging costs the same on page 1,000 as
 * on page 1 and never skips or repeats an item when rows are inserted meanwhile.
 */
public final class Cursor {

    private static final String VERSION = "1:";

    private Cursor() {
    }

    public static String encode(long lastKey) {
        byte[] raw = (VERSION + lastKey).getBytes(StandardCharsets.US_ASCII);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(raw);
    }

    /** @throws ProblemException a 400 naming {@code cursor} when the value was not made by {@link #encode}. */
    public static long decode(String cursor) {
        try {
            String raw = new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.US_ASCII);
            if (raw.startsWith(VERSION)) {
                return Long.parseLong(raw.substring(VERSION.length()));
            }
        } catch (IllegalArgumentException e) {
            // falls through to the problem below: a malformed cursor is the client's error
        }
        throw ProblemException.badInput("cursor", "is not a cursor returned by this API");
    }
}
