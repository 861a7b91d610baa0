package io.million.web.paging;

import jakarta.inject.Singleton;

import io.million.web.WebConfig;
import io.million.web.problem.ProblemException;

/** Parses {@code ?limit=} and {@code ?cursor=} into a {@link PageRequest}; the limit is capped. */
@Singleton
public class Paging {

    private final WebConfig.Page config;

    public Paging(WebConfig config) {
        this.config = config.page();
    }

    /**
     * @param limit  the raw {@code limit} query value, or null for the default
     * @param cursor the raw {@code cursor} query value, or null for the first page
     * @throws ProblemException 400 naming {@code limit} or {@code cursor} when either is malformed
     */
    public PageRequest request(String limit, String cursor) {
        int size = config.defaultLimit();
        if (limit != null && !limit.isBlank()) {
            try {
                size = Integer.parseInt(limit.trim());
            } catch (NumberFormatException e) {
                throw ProblemException.badInput("limit", "must be a whole number");
            }
            if (size < 1) {
                throw ProblemException.badInput("limit", "must be at least 1");
            }
            size = Math.min(size, config.maxLimit());
        }
        Long after = cursor == null || cursor.isBlank() ? null : Cursor.decode(cursor.trim());
        return new PageRequest(size, after);
    }
}
