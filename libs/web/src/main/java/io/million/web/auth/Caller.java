package io.million.web.auth;

import java.util.Set;

/**
 * The verified caller of a request: the token's subject (a user id), its roles (the
 * {@code groups} claim) and when the token expires (epoch seconds). {@link #ANYONE} stands for
 * every role when authentication is switched off.
 */
public record Caller(String subject, Set<String> roles, boolean everything, long expiresAt) {

    static final Caller ANYONE = new Caller(null, Set.of(), true, Long.MAX_VALUE);

    public boolean has(String role) {
        return everything || roles.contains(role);
    }

    /** Whether the caller is the user with this id (ids compared as the API renders them). */
    public boolean is(long userId) {
        return everything || (subject != null && subject.equals(Long.toString(userId)));
    }
}
