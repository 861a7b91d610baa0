package io.million.users.events;

import java.time.Instant;

/** Published on {@code users.events} when a user is created; keyed by the user id. */
public record UserCreated(String type, String userId, String email, Instant at) {

    public static final String TYPE = "user.created";

    public UserCreated(String userId, String email, Instant at) {
        this(TYPE, userId, email, at);
    }
}
