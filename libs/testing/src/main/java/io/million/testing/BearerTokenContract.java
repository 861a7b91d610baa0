package io.million.testing;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import java.util.List;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;

/**
 * How every Million service treats the bearer token of a protected route: none is a 401 with
 * {@code WWW-Authenticate: Bearer}; an expired token, a wrong issuer or audience, a broken
 * signature, {@code alg: none}, HS256 signed with the public key, a non-JWT and another scheme are
 * 401 with {@code error="invalid_token"}; all as problem+json. A valid operator token passes.
 */
public abstract class BearerTokenContract {

    /** A protected request of this service that an operator may make, e.g. {@code GET /v1/users}. */
    protected abstract Response call(RequestSpecification request);

    /** The status a valid operator token gets from {@link #call}. */
    protected abstract int allowedStatus();

    @BeforeEach
    void anonymous() {
        io.restassured.RestAssured.requestSpecification = null;
    }

    @Test
    void noTokenIs401WithABearerChallenge() {
        call(given()).then().statusCode(401).contentType("application/problem+json")
                .header("WWW-Authenticate", equalTo("Bearer realm=\"million\""))
                .body("status", equalTo(401));
    }

    static List<Tokens.Hostile> hostileTokens() {
        return Tokens.hostile("1");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("hostileTokens")
    void aBadTokenIs401(Tokens.Hostile token) {
        call(given().header("Authorization", "Bearer " + token.token())).then().statusCode(401)
                .contentType("application/problem+json")
                .header("WWW-Authenticate", containsString("error=\"invalid_token\""));
    }

    @Test
    void anotherSchemeIs401() {
        call(given().header("Authorization", "Basic dXNlcjpwYXNz")).then().statusCode(401)
                .contentType("application/problem+json");
    }

    @Test
    void aValidOperatorTokenPasses() {
        call(given().header("Authorization", Tokens.operator())).then().statusCode(allowedStatus());
    }
}
