package io.million.web.paging;

import java.util.List;
import java.util.function.ToLongFunction;

/**
 * A validated request for one page: at most {@code limit} items whose key is after {@code after}
 * (null for the first page). Build it with {@link Paging#request}.
 */
public record PageRequest(int limit, Long after) {

    /**
     * Turns {@code limit + 1} fetched rows into a page: the extra row only tells that a next page
     * exists, and is not returned.
     */
    public <T> Page<T> page(List<T> fetched, ToLongFunction<T> key) {
        if (fetched.size() <= limit) {
            return new Page<>(fetched, null);
        }
        List<T> items = fetched.subList(0, limit);
        return new Page<>(List.copyOf(items), Cursor.encode(key.applyAsLong(items.get(limit - 1))));
    }

    /**
     * As {@link #page(List, ToLongFunction)}, for a source that may stop short of a full fetch while
     * more rows follow: {@code resumeAfter} (or null) is the key the next page starts after.
     */
    public <T> Page<T> page(List<T> fetched, ToLongFunction<T> key, Long resumeAfter) {
        if (fetched.size() > limit || resumeAfter == null) {
            return page(fetched, key);
        }
        return new Page<>(fetched, Cursor.encode(resumeAfter));
    }

    /** How many rows to fetch: one more than the page holds. */
    public int fetchSize() {
        return limit + 1;
    }
}
