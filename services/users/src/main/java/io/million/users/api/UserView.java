package io.million.users.api;

import java.time.Instant;

import io.million.users.domain.User;

/** What clients see of a user. */
public record UserView(long id, String email, String name, Instant createdAt, long version) {

    public static UserView of(User user) {
        return new UserView(user.id, user.email, user.name, user.createdAt, user.version);
    }
}
