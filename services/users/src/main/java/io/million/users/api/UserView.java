package io.million.users.api;

import java.time.Instant;

import io.million.users.domain.User;

/**
 * What clients see of a user. {@code orderCount} counts the user's confirmed orders; it follows
 * the orders saga asynchronously (within about a second). Ids are strings: shard-aware ids exceed 2^53, the largest integer
 * a JavaScript number holds exactly.
 */
public record UserView(String id, String email, String name, long orderCount, Instant createdAt,
        Instant updatedAt, long version) {

    public static UserView of(User user) {
        return new UserView(Long.toString(user.id), user.email, user.name, user.orderCount, user.createdAt,
                user.updatedAt, user.version);
    }

    public long key() {
        return Long.parseLong(id);
    }
}
