package io.million.users.events;

import java.time.Instant;
import io.quarkus.runtime.annotations.RegisterForReflection;

/** {@value UserEvents#USER_CREATED} on {@value UserEvents#TOPIC}, keyed by the user id. */
@RegisterForReflection // read and written with Jackson outside REST: native needs it
public record UserCreated(String userId, String email, Instant at) {
}
