package io.million.web.metrics;

import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.core.instrument.distribution.DistributionStatisticConfig;
import io.million.web.WebConfig;

/**
 * Gives the HTTP server timer ({@code http_server_requests_seconds}) the bucket bounds of
 * {@code million.web.metrics.latency-buckets}, so Prometheus can compute latency SLOs and
 * quantiles across replicas (a per-replica max or percentile cannot be aggregated).
 */
@Singleton
public class LatencyBuckets {

    private static final String HTTP_SERVER_REQUESTS = "http.server.requests";

    @Produces
    @Singleton
    MeterFilter httpServerBuckets(WebConfig config) {
        double[] bounds = config.metrics().latencyBuckets().stream().mapToDouble(bound -> bound.toNanos()).toArray();
        return new MeterFilter() {
            @Override
            public DistributionStatisticConfig configure(Meter.Id id, DistributionStatisticConfig statistics) {
                if (!HTTP_SERVER_REQUESTS.equals(id.getName())) {
                    return statistics;
                }
                return DistributionStatisticConfig.builder().serviceLevelObjectives(bounds).build().merge(statistics);
            }
        };
    }
}
