package io.million.sharding;

import java.util.Optional;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/**
 * Tunables of the sharding layer, under {@code million.sharding}. The slots themselves (one
 * persistence unit and reactive datasource each, {@code shard0..shard15}) are declared in this
 * library's {@code META-INF/microprofile-config.properties}.
 */
@ConfigMapping(prefix = "million.sharding")
public interface ShardingConfig {

    /** Slots the build declares: the most shards one deployment can run without a rebuild. */
    int MAX_SLOTS = 16;

    /** How many shards run; shard {@code n} uses slot {@code shard<n>}, which must be active. */
    @WithDefault("4")
    int shards();

    /** Bucket ranges -> shard, e.g. {@code 0-2047:0,2048-4095:1}; absent: even ranges over {@link #shards()}. */
    Optional<String> map();

    /**
     * Read replicas: shard -> slot serving its replica, e.g. {@code million.sharding.replica."0"=4}
     * reads shard 0's stale-tolerant queries from slot {@code shard4} (an active slot whose URL names
     * the replica). A shard without an entry reads from its primary.
     */
    java.util.Map<Integer, Integer> replica();

    /**
     * How far behind its primary a replica may be and still serve reads ({@link ReplicaLag}); a
     * replica further behind, or down, leaves its reads to the primary until it catches up.
     */
    @WithDefault("PT2S")
    java.time.Duration replicaMaxLag();

    /** How often each replica's lag is measured (a heartbeat written to the primary, read from the replica). */
    @WithDefault("PT0.5S")
    java.time.Duration replicaCheck();

    /** Package(s) of the service's sharded entities, mapped in every slot's persistence unit. */
    String entityPackages();

    /** Shard n's database is {@code <database>_<n>}. */
    String database();

    String username();

    /** PostgreSQL host and port of the default slot URLs (each slot's URL can be set on its own). */
    String host();

    int port();

    /** Connections per shard per replica. */
    int poolSize();

    /** PostgreSQL {@code statement_timeout} of every connection (e.g. {@code 5s}). */
    String statementTimeout();

    /** PostgreSQL {@code idle_in_transaction_session_timeout} of every connection. */
    String idleInTransactionTimeout();

    /**
     * How long a bucket move's mover may show no sign of life (it renews this lease on the control
     * row every third of it) before another replica takes the move over and finishes it.
     */
    @WithDefault("PT30S")
    java.time.Duration moveLease();

    /** How often each replica re-reads the live shard map (changed by a bucket move). */
    @WithDefault("PT1S")
    java.time.Duration mapRefresh();

    /** Versioned SQL migrations ({@code db/migration/V1.sql, V2.sql, ...}) applied to every shard at start. */
    @WithDefault("true")
    boolean migrateAtStart();

    /**
     * Libraries that bring tables of their own to every shard (e.g. {@code outbox}): their
     * migrations are {@code db/<library>/V1.sql, ...}, tracked apart from the service's in
     * {@code schema_migrations_<library>}. Each such library declares itself here.
     */
    java.util.Optional<java.util.List<String>> libraryMigrations();

    /** Bounds of the request path's calls to one shard (see {@link Shards}). */
    Calls calls();

    interface Calls {
        /**
         * Deadline of one request-path call (waiting for a pooled connection, every statement,
         * the commit): past it the caller gets a 503 and the shard's circuit breaker counts a
         * failure. The server's own bound is {@code million.sharding.statement-timeout}.
         */
        @WithDefault("PT5S")
        java.time.Duration timeout();

        /** Calls in flight per shard and replica; more wait in {@link #queue()}, beyond it a fast 503. */
        @WithDefault("64")
        int concurrency();

        @WithDefault("256")
        int queue();

        /** The circuit breaker: over the last {@code breakerWindow} calls ... */
        @WithDefault("20")
        int breakerWindow();

        /** ... this share failing (down, timed out, refused) opens it ... */
        @WithDefault("0.5")
        double breakerFailureRatio();

        /** ... for this long: calls fail at once with a 503, then one trial call decides. */
        @WithDefault("PT5S")
        java.time.Duration breakerDelay();
    }
}
