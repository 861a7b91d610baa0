package io.million.web.auth;

import java.util.Set;
import java.util.concurrent.TimeUnit;

import jakarta.inject.Singleton;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.eclipse.microprofile.jwt.JsonWebToken;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;

import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.UnauthorizedException;
import io.smallrye.jwt.auth.principal.JWTParser;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;

/**
 * Turns an {@code Authorization: Bearer} header into a {@link Caller}: SmallRye JWT's parser
 * verifies the token (signature with the configured key or JWKS, RS256 only, issuer, audience,
 * expiry with skew), and verified tokens are remembered, so a client sending the same token on
 * every request pays for one RS256 verification rather than one per request (perf/users/auth.sh
 * measured a read at 0.38x with a verification per request, 0.79x through Quarkus' security
 * layer with a cache). A hit is the exact token string verified before; its expiry is checked on
 * every hit; an entry lives at most {@code million.auth.token-cache.ttl} and never past the
 * token's {@code exp}; failures are not remembered. Used by {@link Access} (REST) and
 * {@link OperatorGuard} (management routes), so both accept exactly the same tokens.
 * <p>
 * Verification runs on the caller's thread (the key is a local file, read once), or on a worker
 * thread when {@code quarkus.smallrye-jwt.blocking-authentication} is true (a JWKS URL is fetched
 * with a blocking client); cache hits never leave the event loop.
 */
@Singleton
public class BearerTokens {

    private static final String BEARER = "Bearer ";

    private final JWTParser parser;
    private final boolean blocking;
    private final boolean cacheEnabled;
    private final Cache<String, Caller> verified;

    public BearerTokens(JWTParser parser, AuthConfig config,
            @ConfigProperty(name = "quarkus.smallrye-jwt.blocking-authentication", defaultValue = "false")
            boolean blocking) {
        this.parser = parser;
        this.blocking = blocking;
        this.cacheEnabled = config.tokenCache().enabled();
        long ttl = config.tokenCache().ttl().toNanos();
        this.verified = Caffeine.newBuilder().maximumSize(config.tokenCache().maxSize())
                .expireAfter(new Expiry<String, Caller>() {
                    @Override
                    public long expireAfterCreate(String token, Caller caller, long now) {
                        long left = TimeUnit.SECONDS.toNanos(caller.expiresAt())
                                - TimeUnit.MILLISECONDS.toNanos(System.currentTimeMillis());
                        return Math.max(0, Math.min(ttl, left));
                    }

                    @Override
                    public long expireAfterUpdate(String token, Caller caller, long now, long current) {
                        return current;
                    }

                    @Override
                    public long expireAfterRead(String token, Caller caller, long now, long current) {
                        return current;
                    }
                }).build();
    }

    /**
     * Pays the verifier's one-time costs at start-up rather than on the first request's event
     * loop: jose4j registers its algorithms on first use (measured at 2.3 s on a cold replica on
     * 2 busy cores) and the key is read then. A token that names RS256 but is not signed does it
     * all and is refused.
     */
    void warm(@jakarta.enterprise.event.Observes io.quarkus.runtime.StartupEvent event) {
        try {
            parser.parse("eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJ3YXJtLXVwIn0.AAAA");
        } catch (Exception expected) {
            // refused, as it must be: the algorithms and the key are loaded now
        }
    }

    /**
     * The caller of {@code authorization}: fails with {@link UnauthorizedException} when there is
     * no header, {@link AuthenticationFailedException} when it is not a valid bearer token.
     */
    public Uni<Caller> caller(String authorization) {
        if (authorization == null) {
            return Uni.createFrom().failure(new UnauthorizedException("a bearer token is required"));
        }
        if (!authorization.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
            return Uni.createFrom().failure(new AuthenticationFailedException("not a bearer token"));
        }
        String token = authorization.substring(BEARER.length()).trim();
        Caller hit = cacheEnabled ? verified.getIfPresent(token) : null;
        if (hit != null && hit.expiresAt() > System.currentTimeMillis() / 1000) {
            return Uni.createFrom().item(hit);
        }
        Uni<Caller> verify = Uni.createFrom().item(() -> verify(token));
        return blocking ? verify.runSubscriptionOn(Infrastructure.getDefaultWorkerPool()) : verify;
    }

    private Caller verify(String token) {
        JsonWebToken jwt;
        try {
            jwt = parser.parse(token);
        } catch (Exception e) {
            throw new AuthenticationFailedException("the bearer token did not verify", e);
        }
        Set<String> roles = jwt.getGroups() == null ? Set.of() : Set.copyOf(jwt.getGroups());
        Caller caller = new Caller(jwt.getSubject(), roles, false, jwt.getExpirationTime());
        if (cacheEnabled) {
            verified.put(token, caller);
        }
        return caller;
    }
}
