package io.million.users;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.million.testing.PageWalker;
import io.million.testing.Postgres;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;

/**
 * Shard 0 gets a "replica" in slot shard4 that does not replicate: a separate database the test
 * fills by hand with rows the primary does not have. It never shows a heartbeat (ReplicaLag), so
 * it never serves: every read, by id or listing, comes from the primary. (The catalog's
 * ReplicaReadTest reads a real streaming replica.)
 */
@QuarkusTest
@TestProfile(ReplicaReadsTest.WithReplica.class)
class ReplicaReadsTest {

    /** Routes here need a token: these tests act as an operator (access rules: *AccessTest). */
    @org.junit.jupiter.api.BeforeEach
    void asOperator() {
        io.million.testing.Tokens.asOperator();
    }

    static final String REPLICA_DB = "users_test_replica_0";

    public static class WithReplica implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            prepareReplicaDatabase();
            return Map.of(
                    "million.sharding.replica.\"0\"", "4",
                    "quarkus.hibernate-orm.\"shard4\".active", "true",
                    "quarkus.datasource.\"shard4\".active", "true",
                    "quarkus.datasource.\"shard4\".reactive.url",
                    "postgresql://127.0.0.1:" + System.getenv().getOrDefault("MILLION_PG_PORT", "5432") + "/" + REPLICA_DB);
        }
    }

    /** A fresh database with the users schema (all its migrations), standing in for shard 0's replica. */
    static void prepareReplicaDatabase() {
        if (Postgres.sql("postgres", "select count(*) from pg_database where datname = '" + REPLICA_DB + "'").equals("0")) {
            Postgres.sql("postgres", "create database " + REPLICA_DB + " owner users");
        }
        Postgres.sql(REPLICA_DB, "drop table if exists users, user_emails cascade");
        // Every migration of the service, in order, as a real replica would have them.
        for (int version = 1;; version++) {
            try (InputStream in = ReplicaReadsTest.class.getClassLoader()
                    .getResourceAsStream("db/migration/V" + version + ".sql")) {
                if (in == null) {
                    break;
                }
                Postgres.sql(REPLICA_DB, "set role users;\n" + new String(in.readAllBytes(), StandardCharsets.UTF_8));
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }
    }

    @Test
    void aReplicaThatDoesNotReplicateIsNeverReadFrom() {
        String email = ShardingTest.emailOnShard(0);
        String id = UserResourceTest.create(email, "Primary copy");
        String other = UserResourceTest.create(ShardingTest.emailOnShard(0), "Primary only");
        Postgres.sql(REPLICA_DB, "insert into users (id, email, name, created_at, updated_at, version) "
                + "values (" + other + ", 'replica@example.com', 'Replica copy', now(), now(), 0)");

        // By id: cache fills read the primary, whatever a replica holds.
        given().get("/v1/users/" + other).then().statusCode(200).body("name", equalTo("Primary only"));
        given().get("/v1/users/" + id).then().statusCode(200).body("name", equalTo("Primary copy"));

        // Listings: the replica has no heartbeat of this process (its lag is unknown), so shard 0's
        // part comes from the primary: both users, the one the replica lacks included.
        List<Long> listed = PageWalker.ids("/v1/users", Map.of(), 100);
        assertTrue(listed.contains(Long.valueOf(other)) && listed.contains(Long.valueOf(id)), "listed from the primary");

        // Writes go to the primary.
        given().contentType("application/merge-patch+json").header("If-Match", "\"0\"")
                .body("{\"name\":\"Renamed\"}").patch("/v1/users/" + id).then()
                .statusCode(200).body("name", equalTo("Renamed"));
        given().contentType(ContentType.JSON).body(Map.of("email", email, "name", "Twin")).post("/v1/users")
                .then().statusCode(409);
    }
}
