package io.million.cache;

import java.net.URI;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.TimeUnit;

import jakarta.annotation.PreDestroy;
import jakarta.inject.Singleton;

import org.jboss.logging.Logger;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.smallrye.mutiny.Uni;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.core.http.HttpClient;

/**
 * Purges edge caches by surrogate key after a write, so a changed resource is not served stale
 * from the edge for its {@code s-maxage}. Every configured endpoint ({@link EdgeConfig}) gets one
 * request with the keys; the write waits for the first attempt (bounded by the timeout) so a
 * client that reads its own write through the edge sees it, a failed attempt is retried in the
 * background, and a second purge follows after {@code repeat-after} (see {@link EdgeConfig}). A purge never fails the write: the edge's TTL bounds staleness when every
 * attempt fails (counted in {@code million_edge_purges_total{outcome="failed"}} and logged).
 * <p>
 * Written here: a purge is one HTTP request per endpoint; no library does it for xkey and CDNs
 * alike with the Vert.x client Quarkus already runs.
 */
@Singleton
public class EdgePurger {

    private static final Logger LOG = Logger.getLogger(EdgePurger.class);

    private final EdgeConfig.Purge config;
    private final List<URI> endpoints;
    private final HttpClient client;
    private final Vertx vertx;
    private final HttpMethod method;
    private final Counter purged;
    private final Counter retried;
    private final Counter failed;
    private final Timer latency;

    public EdgePurger(EdgeConfig config, Vertx vertx, MeterRegistry meters) {
        this.config = config.purge();
        this.endpoints = this.config.endpoints().orElse(List.of());
        this.vertx = vertx;
        this.method = HttpMethod.valueOf(this.config.method());
        this.client = endpoints.isEmpty() ? null
                : vertx.createHttpClient(new HttpClientOptions()
                        .setConnectTimeout((int) this.config.timeout().toMillis()).setKeepAlive(true)
                        .setMaxPoolSize(8));
        this.purged = meters.counter("million.edge.purges", "outcome", "ok");
        this.retried = meters.counter("million.edge.purges", "outcome", "retried");
        this.failed = meters.counter("million.edge.purges", "outcome", "failed");
        this.latency = Timer.builder("million.edge.purge").description("Edge purge requests, first attempts")
                .register(meters);
    }

    /** Whether any edge is configured. */
    public boolean enabled() {
        return client != null;
    }

    /** Purges {@code keys} from every edge; completes (never fails) when the first attempts are done. */
    public Uni<Void> purge(Collection<String> keys) {
        if (client == null || keys.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        String joined = String.join(" ", keys);
        if (!config.repeatAfter().isZero()) {
            vertx.setTimer(config.repeatAfter().toMillis(), id -> {
                for (URI endpoint : endpoints) {
                    attempt(endpoint, joined, 1, false).subscribe().with(ignored -> {
                    }, ignored -> {
                    });
                }
            });
        }
        List<Uni<Void>> sends = new ArrayList<>(endpoints.size());
        for (URI endpoint : endpoints) {
            sends.add(attempt(endpoint, joined, 1, true));
        }
        return Uni.join().all(sends).andCollectFailures().replaceWithVoid()
                .onFailure().recoverWithNull();
    }

    private Uni<Void> attempt(URI endpoint, String keys, int attempt, boolean timed) {
        long started = System.nanoTime();
        return send(endpoint, keys)
                .invoke(() -> {
                    if (timed && attempt == 1) {
                        latency.record(System.nanoTime() - started, TimeUnit.NANOSECONDS);
                    }
                    purged.increment();
                })
                .onFailure().recoverWithUni(failure -> {
                    if (attempt >= config.attempts()) {
                        failed.increment();
                        LOG.warnf("edge purge of [%s] at %s failed %d times, the edge keeps it until its TTL: %s",
                                keys, endpoint, attempt, failure.toString());
                        return Uni.createFrom().voidItem();
                    }
                    retried.increment();
                    // In the background: the write that asked for the purge does not wait for retries.
                    vertx.setTimer(config.retryDelay().toMillis(),
                            id -> attempt(endpoint, keys, attempt + 1, false).subscribe().with(ignored -> {
                            }, ignored -> {
                            }));
                    return Uni.createFrom().voidItem();
                });
    }

    private Uni<Void> send(URI endpoint, String keys) {
        int port = endpoint.getPort() > 0 ? endpoint.getPort() : "https".equals(endpoint.getScheme()) ? 443 : 80;
        String path = endpoint.getRawPath() == null || endpoint.getRawPath().isEmpty() ? "/" : endpoint.getRawPath();
        RequestOptions options = new RequestOptions().setMethod(method).setHost(endpoint.getHost()).setPort(port)
                .setURI(path).setSsl("https".equals(endpoint.getScheme()))
                .setTimeout(config.timeout().toMillis()).putHeader(config.keysHeader(), keys);
        config.headers().forEach(options::putHeader);
        return client.request(options)
                .chain(request -> request.send())
                .chain(response -> response.body().map(body -> {
                    if (response.statusCode() / 100 != 2) {
                        throw new IllegalStateException("status " + response.statusCode() + ": " + body);
                    }
                    return (Void) null;
                }))
                .ifNoItem().after(config.timeout().multipliedBy(2)).fail();
    }

    @PreDestroy
    void close() {
        if (client != null) {
            client.closeAndForget();
        }
    }
}
