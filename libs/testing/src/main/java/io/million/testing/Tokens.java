package io.million.testing;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.UUID;
import java.util.stream.Collectors;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import io.restassured.RestAssured;
import io.restassured.builder.RequestSpecBuilder;

/**
 * Bearer tokens for tests, signed with the local key pair that {@code stack/million} keeps in
 * {@code $MILLION_STATE/jwt} (made on first use; the services verify with its public half). Also
 * mints the hostile ones a verifier must refuse: expired, wrong issuer or audience, a broken
 * signature, {@code alg: none}, and HS256 "signed" with the public key.
 */
public final class Tokens {

    public static final String OPERATOR = "operator";
    public static final String CATALOG_ADMIN = "catalog-admin";

    private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();
    private static volatile PrivateKey key;

    private Tokens() {
    }

    /** {@code Bearer <token>} for subject {@code sub} with {@code roles}, valid for an hour. */
    public static String bearer(String sub, String... roles) {
        return "Bearer " + token(sub, List.of(roles), issuer(), audience(), Duration.ofHours(1));
    }

    /** A user's own token: the subject is its id. */
    public static String user(String userId) {
        return bearer(userId);
    }

    public static String operator() {
        return bearer("test-operator", OPERATOR);
    }

    /** Makes every RestAssured request of the calling test carry an operator token. */
    public static void asOperator() {
        RestAssured.requestSpecification = new RequestSpecBuilder().addHeader("Authorization", operator()).build();
    }

    public static String token(String sub, List<String> roles, String issuer, String audience, Duration ttl) {
        Instant now = Instant.now();
        String header = "{\"alg\":\"RS256\",\"typ\":\"JWT\"}";
        String payload = "{\"iss\":\"" + issuer + "\",\"aud\":\"" + audience + "\",\"sub\":\"" + sub
                + "\",\"groups\":[" + roles.stream().map(r -> "\"" + r + "\"").collect(Collectors.joining(","))
                + "],\"iat\":" + now.getEpochSecond() + ",\"exp\":" + now.plus(ttl).getEpochSecond()
                + ",\"jti\":\"" + UUID.randomUUID() + "\"}";
        return signRs256(header, payload);
    }

    /** Tokens that must be refused with 401, by name (for parameterised tests). */
    public static List<Hostile> hostile(String sub) {
        String valid = token(sub, List.of(OPERATOR), issuer(), audience(), Duration.ofHours(1));
        String[] parts = valid.split("\\.");
        String flipped = parts[2].charAt(0) == 'A' ? "B" + parts[2].substring(1) : "A" + parts[2].substring(1);
        String payload = new String(Base64.getUrlDecoder().decode(parts[1]), StandardCharsets.UTF_8);
        return List.of(
                new Hostile("expired", token(sub, List.of(OPERATOR), issuer(), audience(), Duration.ofMinutes(-10))),
                new Hostile("wrong issuer", token(sub, List.of(OPERATOR), "someone-else", audience(), Duration.ofHours(1))),
                new Hostile("wrong audience", token(sub, List.of(OPERATOR), issuer(), "another-api", Duration.ofHours(1))),
                new Hostile("broken signature", parts[0] + "." + parts[1] + "." + flipped),
                new Hostile("alg none", encode("{\"alg\":\"none\",\"typ\":\"JWT\"}") + "." + parts[1] + "."),
                new Hostile("HS256 with the public key", hmacWithPublicKey(payload)),
                new Hostile("not a JWT", "not-a-token"));
    }

    public record Hostile(String name, String token) {
        @Override
        public String toString() {
            return name;
        }
    }

    private static String hmacWithPublicKey(String payload) {
        try {
            String input = encode("{\"alg\":\"HS256\",\"typ\":\"JWT\"}") + "." + encode(payload);
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(Files.readAllBytes(keyDir().resolve("public.pem")), "HmacSHA256"));
            return input + "." + B64.encodeToString(mac.doFinal(input.getBytes(StandardCharsets.US_ASCII)));
        } catch (Exception e) {
            throw new IllegalStateException("cannot make the HS256 token", e);
        }
    }

    private static String signRs256(String header, String payload) {
        try {
            String input = encode(header) + "." + encode(payload);
            Signature signature = Signature.getInstance("SHA256withRSA");
            signature.initSign(privateKey());
            signature.update(input.getBytes(StandardCharsets.US_ASCII));
            return input + "." + B64.encodeToString(signature.sign());
        } catch (Exception e) {
            throw new IllegalStateException("cannot sign a test token", e);
        }
    }

    private static String encode(String json) {
        return B64.encodeToString(json.getBytes(StandardCharsets.UTF_8));
    }

    private static PrivateKey privateKey() throws Exception {
        if (key == null) {
            synchronized (Tokens.class) {
                if (key == null) {
                    Path file = keyDir().resolve("private.pem");
                    if (!Files.isRegularFile(file)) {
                        LocalStack.run("token", "--sub", "key-pair", "--ttl", "1s"); // makes the key pair
                    }
                    String pem = Files.readString(file).replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", "");
                    key = KeyFactory.getInstance("RSA")
                            .generatePrivate(new PKCS8EncodedKeySpec(Base64.getDecoder().decode(pem)));
                }
            }
        }
        return key;
    }

    private static Path keyDir() {
        return Path.of(env("MILLION_STATE", "/var/lib/million"), "jwt");
    }

    private static String issuer() {
        return env("MILLION_JWT_ISSUER", "million");
    }

    private static String audience() {
        return env("MILLION_JWT_AUDIENCE", "million");
    }

    private static String env(String name, String fallback) {
        String value = System.getenv(name);
        return value == null || value.isBlank() ? fallback : value;
    }
}
