package io.million.users.events;

import java.time.Instant;

/** {@value UserEvents#USER_CREATED} on {@value UserEvents#TOPIC}, keyed by the user id. */
public record UserCreated(String userId, String email, Instant at) {
}
