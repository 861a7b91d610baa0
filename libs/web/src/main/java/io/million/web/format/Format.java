package io.million.web.format;

/**
 * The representations of every {@code /v1/} resource: JSON (the default) and CBOR (RFC 8949,
 * {@code application/cbor}), the same data model written by the same Jackson configuration, so a
 * field, a page envelope or a problem means the same in both. Errors stay
 * {@code application/problem+json} whatever the client accepts.
 * <p>
 * One representation, one strong ETag: the CBOR body of a version is tagged {@code "7.cbor"} where
 * the JSON one is {@code "7"} (and {@code "7+name.cbor"} for a {@code ?fields=name} selection).
 * {@code If-Match} accepts either tag of the current version: both name the same state.
 */
public enum Format {

    JSON("application/json", ""),
    CBOR(Format.CBOR_TYPE, ".cbor");

    public static final String CBOR_TYPE = "application/cbor";

    private final String mediaType;
    private final String tagSuffix;

    Format(String mediaType, String tagSuffix) {
        this.mediaType = mediaType;
        this.tagSuffix = tagSuffix;
    }

    public String mediaType() {
        return mediaType;
    }

    /** This format's strong tag of a representation whose JSON tag is {@code jsonTag} (quoted or not). */
    public String etag(String jsonTag) {
        if (tagSuffix.isEmpty()) {
            return jsonTag;
        }
        boolean quoted = jsonTag.length() >= 2 && jsonTag.endsWith("\"");
        return quoted ? jsonTag.substring(0, jsonTag.length() - 1) + tagSuffix + "\"" : jsonTag + tagSuffix;
    }

    /** The JSON tag of {@code tag} if it is another format's tag, else {@code tag} itself. */
    public static String jsonTag(String tag) {
        String suffix = CBOR.tagSuffix + "\"";
        return tag.endsWith(suffix) ? tag.substring(0, tag.length() - suffix.length()) + "\"" : tag;
    }

    /**
     * The format an {@code Accept} header asks for (RFC 9110 section 12.5.1: q-values, then the more
     * specific range, then the order given), or {@code null} when it accepts neither (a 406). No
     * header, or a blank one, is JSON; so is one naming only {@code application/problem+json}.
     * Never throws: a malformed q-value counts as 1.
     */
    public static Format negotiate(String accept) {
        if (accept == null || accept.isBlank() || accept.equals("application/json") || accept.equals("*/*")) {
            return JSON;
        }
        if (accept.equals(CBOR_TYPE)) {
            return CBOR;
        }
        double jsonQ = -1;
        double cborQ = -1;
        int jsonSpecificity = -1;
        int cborSpecificity = -1;
        int jsonAt = Integer.MAX_VALUE;
        int cborAt = Integer.MAX_VALUE;
        String[] ranges = accept.split(",");
        for (int at = 0; at < ranges.length; at++) {
            String[] parts = ranges[at].split(";");
            String range = parts[0].strip().toLowerCase(java.util.Locale.ROOT);
            double q = quality(parts);
            int json = specificity(range, "application/json");
            if (json > jsonSpecificity) {
                jsonSpecificity = json;
                jsonQ = q;
                jsonAt = at;
            }
            int cbor = specificity(range, CBOR_TYPE);
            if (cbor > cborSpecificity) {
                cborSpecificity = cbor;
                cborQ = q;
                cborAt = at;
            }
        }
        if (jsonQ <= 0 && cborQ <= 0) {
            // Generated clients send "Accept: application/problem+json" for an operation whose only
            // body is an error (a DELETE's 204): answer it in JSON rather than refuse the request.
            return jsonSpecificity < 0 && accept.toLowerCase(java.util.Locale.ROOT).contains("application/problem+json")
                    ? JSON : null;
        }
        if (jsonQ != cborQ) {
            return jsonQ > cborQ ? JSON : CBOR;
        }
        if (jsonSpecificity != cborSpecificity) {
            return jsonSpecificity > cborSpecificity ? JSON : CBOR;
        }
        return jsonAt <= cborAt ? JSON : CBOR;
    }

    /** 2 for the type itself, 1 for application/*, 0 for *&#47;*, -1 when the range does not cover it. */
    private static int specificity(String range, String type) {
        if (range.equals(type)) {
            return 2;
        }
        if (range.equals("application/*")) {
            return 1;
        }
        return range.equals("*/*") ? 0 : -1;
    }

    private static double quality(String[] parts) {
        for (int i = 1; i < parts.length; i++) {
            String parameter = parts[i].strip();
            if (parameter.length() > 2 && (parameter.charAt(0) == 'q' || parameter.charAt(0) == 'Q')
                    && parameter.charAt(1) == '=') {
                try {
                    double q = Double.parseDouble(parameter.substring(2).strip());
                    return q >= 0 && q <= 1 ? q : 1;
                } catch (NumberFormatException e) {
                    return 1;
                }
            }
        }
        return 1;
    }
}
