import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.stream.Collectors;

import javax.imageio.ImageIO;

/**
 * The capacity model (issue 18): reads the figures perf/capacity/report.sh measured
 * (perf/capacity/results.txt) and writes perf/report.md with its charts (perf/report/*.png) and
 * helm/million/values-1m-rps.yaml, whose replica counts, HPA targets, pool sizes, shard counts and
 * Kafka partitions come from the model.
 *
 * <pre>
 * java perf/capacity/Report.java perf/capacity/results.txt            # writes the report and the values file
 * java perf/capacity/Report.java --check perf/capacity/results.txt    # fails when the values file differs from the model
 * </pre>
 * Run from the repository's root (or with {@code -Dmillion.root=DIR}).
 *
 * The model, from the measured figures only (every input is a line of the results file):
 * <ul>
 * <li>Unit costs: each endpoint alone at a low rate through HAProxy; what every counter (CPU of
 * each service, PostgreSQL transactions, Redis commands, Kafka messages) grew by, less what it grows
 * by when idle, per request answered. The CPU counts the asynchronous work a request causes (the
 * saga's consumers in every service for an order).</li>
 * <li>Calibration: per CPU group, PostgreSQL database and Redis, a factor fitted over the HAProxy
 * curve (most replicas): least squares of the measured counters above idle on what the unit costs
 * predict for each step that kept up ({@link #fit}); each pod's idle CPU is added on top. The
 * per-core table is read at the step whose box CPU is nearest 65 %.</li>
 * <li>At 1M req/s at the edge with the mix's shares and an edge hit ratio h (on product reads and
 * listings; the rest always reaches the origin): each service's cores, pods of {@link #POD_CPU}
 * cores at the HPA target {@link #HPA_TARGET}, PostgreSQL transactions per second against the
 * per-shard ceiling pgbench measured (scaled to a {@link #SHARD_CORES}-core primary, at
 * {@link #SHARD_HEADROOM} of it), Redis commands against redis-benchmark's figure, Kafka messages,
 * connections per shard, and the cores of it all.</li>
 * </ul>
 * Written by hand, charts included (Java2D, headless): no plotting library is served here and the
 * model is a few sums.
 */
public class Report {

    static final Locale L = Locale.ROOT;
    static final int TARGET_RPS = 1_000_000;
    static final double[] HIT_RATIOS = {0.5, 0.7, 0.8};
    /** The hit ratio the minimum replica counts are sized for; maxReplicas covers 50 % with headroom. */
    static final double DESIGN_HIT_RATIO = 0.7;
    static final double MAX_HEADROOM = 1.5;
    static final double POD_CPU = 2;
    /** HPA CPU target: with 3 zones, losing one leaves the others at 90 %. */
    static final double HPA_TARGET = 0.6;
    static final double SHARD_CORES = 8;
    static final double SHARD_HEADROOM = 0.5;
    static final int MAX_SHARDS = 16;
    static final int PG_MAX_CONNECTIONS = 500;
    static final double REDIS_HEADROOM = 0.5;
    static final double REDIS_CORES = 2;
    static final double BROKER_CORES = 8;
    static final List<String> SERVICES = List.of("users", "catalog", "orders");
    static final List<String> CACHEABLE = List.of("product", "listing");

    record Line(String kind, Map<String, String> f) {
        double d(String key) {
            String v = f.get(key);
            if (v == null) {
                return 0;
            }
            v = v.replace("ms", "");
            return v.equals("NaN") ? Double.NaN : Double.parseDouble(v);
        }

        String s(String key) {
            return f.getOrDefault(key, "");
        }
    }

    final List<Line> lines = new ArrayList<>();
    final Map<String, String> machine;
    final Map<String, Double> mix = new LinkedHashMap<>();
    final double clk;
    final Line idle;
    final Line baseline;

    Report(Path results) throws IOException {
        for (String raw : Files.readAllLines(results)) {
            String[] tokens = raw.trim().split("\\s+");
            if (tokens.length == 0 || tokens[0].isEmpty()) {
                continue;
            }
            Map<String, String> f = new LinkedHashMap<>();
            for (int i = 1; i < tokens.length; i++) {
                int eq = tokens[i].indexOf('=');
                if (eq > 0) {
                    f.put(tokens[i].substring(0, eq), tokens[i].substring(eq + 1));
                } else {
                    f.put("phase", tokens[i]);
                }
            }
            lines.add(new Line(tokens[0], f));
        }
        machine = one("machine", l -> true).f;
        lines.stream().filter(l -> l.kind.equals("mix")).forEach(l -> mix.put(l.s("endpoint"), l.d("share") / 100));
        clk = Double.parseDouble(machine.getOrDefault("clk_tck", "100"));
        idle = one("counters", l -> l.s("phase").equals("idle"));
        baseline = one("baseline", l -> true);
    }

    Line one(String kind, java.util.function.Predicate<Line> p) {
        return lines.stream().filter(l -> l.kind.equals(kind) && p.test(l)).findFirst()
                .orElseThrow(() -> new IllegalStateException("the results hold no '" + kind + "' line"));
    }

    // ------------------------------------------------------------------ measured figures

    /** What a counter grows by per second with no load. */
    double idleRate(String key) {
        // The idle window's real length (the counters take a moment to read): the box's CPU ticks over its cores.
        double seconds = idle.d("box_total") / (clk * Double.parseDouble(machine.get("cores")));
        return idle.d(key) / seconds;
    }

    /** Unit cost of one endpoint: counter growth per 2xx answer, less the idle growth. */
    Map<String, Double> unitCost(String endpoint) {
        Line c = one("counters", l -> l.s("phase").equals("unit") && l.s("endpoint_alone").equals(endpoint));
        Line load = one("load", l -> l.s("phase").equals("unit") && l.s("endpoint_alone").equals(endpoint)
                && l.s("endpoint").equals(endpoint));
        double answered = load.d("goodput") * c.d("seconds");
        Map<String, Double> cost = new TreeMap<>();
        for (String key : c.f.keySet()) {
            if (key.startsWith("cpu_") || key.startsWith("pg") || key.startsWith("redis_") || key.startsWith("kafka_")) {
                double v = Math.max(0, c.d(key) - idleRate(key) * c.d("seconds")) / answered;
                cost.put(key, key.startsWith("cpu_") ? v / clk : v);
            }
        }
        return cost;
    }

    /** A sweep's steps: (path, replicas) -> counters lines by step, with their load lines. */
    record Step(Line counters, Map<String, Line> loads) {
        double offered() {
            return counters.d("offered");
        }

        double seconds() {
            return counters.d("seconds");
        }

        double cpu() {
            return counters.d("box_busy") / counters.d("box_total");
        }

        double cores(String group, double clk) {
            return counters.d("cpu_" + group) / clk / seconds();
        }

        Line all() {
            return loads.get("all");
        }
    }

    List<Step> sweep(String path, int replicas) {
        List<Step> steps = new ArrayList<>();
        for (Line c : lines) {
            if (c.kind.equals("counters") && c.s("phase").equals("sweep") && c.s("path").equals(path)
                    && c.d("replicas") == replicas) {
                Map<String, Line> loads = lines.stream().filter(l -> l.kind.equals("load") && l.s("phase").equals("sweep")
                        && l.s("path").equals(path) && l.d("replicas") == replicas && l.s("step").equals(c.s("step")))
                        .collect(Collectors.toMap(l -> l.s("endpoint"), l -> l, (a, b) -> b, LinkedHashMap::new));
                steps.add(new Step(c, loads));
            }
        }
        return steps;
    }

    List<Integer> scales() {
        return lines.stream().filter(l -> l.kind.equals("counters") && l.s("phase").equals("sweep"))
                .map(l -> (int) l.d("replicas")).distinct().sorted().toList();
    }

    static boolean saturated(Step s) {
        Line all = s.all();
        return all.d("goodput") < 0.95 * s.offered() || !(all.d("p99_all") <= 1000) || s.counters.d("unsent") > 0;
    }

    /** The highest goodput of a sweep's unsaturated steps (0: none). */
    static double capacity(List<Step> steps) {
        return steps.stream().filter(s -> !saturated(s)).mapToDouble(s -> s.all().d("goodput")).max().orElse(0);
    }

    /** The step whose box CPU is nearest 65 %. */
    static Step calibrationStep(List<Step> steps) {
        Step best = steps.get(0);
        for (Step s : steps) {
            if (Math.abs(s.cpu() - 0.65) < Math.abs(best.cpu() - 0.65)) {
                best = s;
            }
        }
        return best;
    }

    // ------------------------------------------------------------------ the model

    record Sizing(double hit, Map<String, Double> originRps, Map<String, Double> cores, Map<String, Integer> pods,
            Map<String, Double> pgTx, Map<String, Integer> shards, Map<String, Double> redisOps,
            Map<String, Integer> redisInstances, double kafkaMessages, double edgeCores, double haproxyCores,
            Map<String, Double> pgCores, double kafkaCores, int brokers, double totalCores) {
    }

    final Map<String, Map<String, Double>> units = new LinkedHashMap<>();
    final Map<String, Double> calibration = new LinkedHashMap<>();
    Step calibrated;
    int calibrationReplicas;

    void prepare() {
        for (String e : mix.keySet()) {
            units.put(e, unitCost(e));
        }
        calibrationReplicas = scales().get(scales().size() - 1);
        List<Step> curve = sweep("haproxy", calibrationReplicas);
        calibrated = calibrationStep(curve);
        for (String group : CPU_GROUPS) {
            calibration.put(group, fit("cpu_" + group, curve));
        }
        for (String svc : SERVICES) {
            calibration.put("redis_" + svc, fit("redis_" + svc, curve));
            calibration.put("pg_" + svc, fit("pg_" + svc, curve));
        }
    }

    /** The CPU groups the model sizes from the unit costs (Varnish apart: it sees no request of the unit costs). */
    static final List<String> CPU_GROUPS = List.of("users", "catalog", "orders", "postgres", "kafka", "haproxy");

    /**
     * The unit costs were measured at a low rate, where costs paid per interval rather than per
     * request (syncs, polls, batches) weigh on each request; under load they are spread over more.
     * The factor that scales them to the curve: least squares, through the origin, of each step's
     * measured cores above idle on what the unit costs predict for that step's answers, over the
     * steps that kept up (goodput at least 90 % of the offered rate).
     */
    double fit(String key, List<Step> curve) {
        double num = 0;
        double den = 0;
        for (Step s : curve) {
            if (s.all().d("goodput") < 0.9 * s.offered()) {
                continue;
            }
            double predicted = 0;
            for (String e : mix.keySet()) {
                Line load = s.loads.get(e);
                predicted += (load == null ? 0 : load.d("goodput")) * units.get(e).getOrDefault(key, 0.0);
            }
            double perUnit = key.startsWith("cpu_") ? clk : 1; // CPU unit costs are in seconds, the counters in ticks
            double measured = (s.counters.d(key) / s.seconds() - idleRate(key)) / perUnit;
            num += measured * predicted;
            den += predicted * predicted;
        }
        return den > 0 && num > 0 ? num / den : 1;
    }

    /** An endpoint's CPU per request in a group, scaled to the curve (seconds). */
    double scaled(String endpoint, String group) {
        return units.containsKey(endpoint) ? units.get(endpoint).getOrDefault("cpu_" + group, 0.0) * calibration.get(group) : 0;
    }

    /** A replica's idle CPU (cores): the service's idle CPU over its replicas when it was measured. */
    double idlePerPod(String svc) {
        return idleRate("cpu_" + svc) / clk / scales().get(scales().size() - 1);
    }

    /** Requests per core-second of a service at the calibration step (its requests over its CPU). */
    double perCore(String svc) {
        return calibrated.counters.d("req_" + svc) / (calibrated.counters.d("cpu_" + svc) / clk);
    }

    double shardCeiling() {
        return baseline.d("pgbench_order_tps") * SHARD_CORES / Double.parseDouble(machine.get("cores"));
    }

    Sizing size(double hit) {
        Map<String, Double> endpointRps = new LinkedHashMap<>();
        mix.forEach((e, share) -> endpointRps.put(e, TARGET_RPS * share * (CACHEABLE.contains(e) ? 1 - hit : 1)));
        Map<String, Double> origin = new LinkedHashMap<>();
        Map<String, Double> cores = new LinkedHashMap<>();
        Map<String, Integer> pods = new LinkedHashMap<>();
        Map<String, Double> pgTx = new LinkedHashMap<>();
        Map<String, Integer> shards = new LinkedHashMap<>();
        Map<String, Double> redis = new LinkedHashMap<>();
        Map<String, Integer> redisInstances = new LinkedHashMap<>();
        Map<String, Double> pgCores = new LinkedHashMap<>();
        double kafkaCores = 0;
        double kafka = 0;
        double haproxyCores = 0;
        for (String svc : SERVICES) {
            double c = 0;
            double tx = 0;
            double pgc = 0;
            double r = 0;
            for (Map.Entry<String, Double> e : endpointRps.entrySet()) {
                Map<String, Double> u = units.get(e.getKey());
                c += e.getValue() * u.getOrDefault("cpu_" + svc, 0.0) * calibration.get(svc);
                tx += e.getValue() * u.getOrDefault("pg_" + svc, 0.0) * calibration.get("pg_" + svc);
                // PostgreSQL's CPU for this endpoint, shared among the services' databases by their transactions.
                double allTx = SERVICES.stream().mapToDouble(x -> u.getOrDefault("pg_" + x, 0.0)).sum();
                pgc += allTx == 0 ? 0 : e.getValue() * u.getOrDefault("cpu_postgres", 0.0) * calibration.get("postgres")
                        * u.getOrDefault("pg_" + svc, 0.0) / allTx;
                r += e.getValue() * u.getOrDefault("redis_" + svc, 0.0) * calibration.get("redis_" + svc);
            }
            // A pod's budget at the target is what its own idle work leaves of POD_CPU x HPA_TARGET.
            int n = Math.max(2, (int) Math.ceil(c / (POD_CPU * HPA_TARGET - idlePerPod(svc))));
            cores.put(svc, c + n * idlePerPod(svc));
            pods.put(svc, n);
            pgTx.put(svc, tx);
            pgCores.put(svc, pgc);
            // The larger of: transactions against the per-shard ceiling, PostgreSQL's measured CPU against a primary's cores.
            shards.put(svc, Math.max(2, Math.max((int) Math.ceil(tx / (shardCeiling() * SHARD_HEADROOM)),
                    (int) Math.ceil(pgc / (SHARD_CORES * SHARD_HEADROOM)))));
            redis.put(svc, r);
            redisInstances.put(svc, Math.max(1, (int) Math.ceil(r / (baseline.d("redis_ops") * REDIS_HEADROOM))));
        }
        for (Map.Entry<String, Double> e : endpointRps.entrySet()) {
            Map<String, Double> u = units.get(e.getKey());
            kafka += e.getValue() * SERVICES.stream().mapToDouble(s -> u.getOrDefault("kafka_" + s, 0.0)).sum();
            haproxyCores += e.getValue() * u.getOrDefault("cpu_haproxy", 0.0) * calibration.get("haproxy");
            kafkaCores += e.getValue() * u.getOrDefault("cpu_kafka", 0.0) * calibration.get("kafka");
            origin.merge(serviceOf(e.getKey()), e.getValue(), Double::sum);
        }
        double edgeCores = TARGET_RPS * edgeCpuPerRequest();
        double shardCores = shards.values().stream().mapToInt(Integer::intValue).sum() * SHARD_CORES;
        double total = pods.values().stream().mapToInt(Integer::intValue).sum() * POD_CPU + edgeCores + haproxyCores + shardCores;
        int brokers = Math.max(3, (int) Math.ceil(kafkaCores / (BROKER_CORES * HPA_TARGET)));
        total += redisInstances.values().stream().mapToInt(Integer::intValue).sum() * REDIS_CORES + brokers * BROKER_CORES;
        return new Sizing(hit, origin, cores, pods, pgTx, shards, redis, redisInstances, kafka, edgeCores, haproxyCores,
                pgCores, kafkaCores, brokers, total);
    }

    static String serviceOf(String endpoint) {
        return switch (endpoint) {
            case "product", "listing", "update" -> "catalog";
            case "user" -> "users";
            default -> "orders";
        };
    }

    /** Varnish's CPU per request: least squares through the origin of its cores on the request rate, over the edge curves' steps that kept up. */
    double edgeCpuPerRequest() {
        double num = 0;
        double den = 0;
        for (int n : scales()) {
            for (Step s : sweep("edge", n)) {
                if (s.all().d("goodput") >= 0.9 * s.offered()) {
                    double rate = s.all().d("sent") / s.seconds();
                    num += s.cores("varnish", clk) * rate;
                    den += rate * rate;
                }
            }
        }
        return den > 0 ? num / den : 0;
    }

    double edgeHitRatio(Step s) {
        double h = s.counters.d("edge_cache_hit");
        double m = s.counters.d("edge_cache_miss");
        return h + m == 0 ? Double.NaN : h / (h + m);
    }

    // ------------------------------------------------------------------ the values file

    int poolSize(Sizing s, String svc) {
        // Little's law per pod and shard: transactions per second x the time one holds a connection
        // (pgbench's mean latency at its ceiling: 16 clients / tps), doubled, at least 2.
        double perPodShard = s.pgTx.get(svc) / s.pods.get(svc) / s.shards.get(svc);
        double holdSeconds = 16 / baseline.d("pgbench_order_tps");
        return Math.max(2, (int) Math.ceil(2 * perPodShard * holdSeconds));
    }

    String values() {
        Sizing design = size(DESIGN_HIT_RATIO);
        Sizing worst = size(HIT_RATIOS[0]);
        StringBuilder y = new StringBuilder();
        y.append("""
                # GENERATED by perf/capacity/Report.java from perf/capacity/results.txt (measured %s on %s
                # cores, commit %s): do not edit by hand; run perf/capacity/report.sh, or
                # `java perf/capacity/Report.java perf/capacity/results.txt` after changing the model.
                # The reasoning and every figure: perf/report.md. 1,000,000 requests per second at the edge
                # with the mix of perf/capacity/mix.conf; replicas sized for an edge hit ratio of %.0f %%
                # (minReplicas) and %.0f %% with %.1fx headroom (maxReplicas); HPA CPU target %.0f %%.
                # `helm/tests/run` fails when this file and the model disagree.
                #   helm install million helm/million -f helm/million/values-1m-rps.yaml \\
                #     --set global.image.registry=ghcr.io/acme
                global:
                  image:
                    flavour: jvm
                  kafka:
                    bootstrapServers: million-kafka-bootstrap:9092
                  tracing:
                    enabled: true
                    endpoint: http://otel-collector.observability:4317
                    samplerRatio: 0.01
                  serviceMonitor:
                    enabled: true
                    labels: {release: kube-prometheus-stack}
                  keda:
                    enabled: false
                  auth:
                    issuer: million
                    audience: million
                    # The issuer's JWKS (SmallRye JWT caches the keys and refreshes them periodically).
                    jwksUrl: https://auth.million.example/.well-known/jwks.json
                  # The ingress controller's pod CIDR: only its X-Forwarded-For is believed.
                  trustedProxies: [10.0.0.0/8]
                  rateLimit:
                    enabled: true

                prometheusRule:
                  enabled: true
                  labels: {release: kube-prometheus-stack}
                grafanaDashboards:
                  enabled: true
                  labels: {grafana_dashboard: "1"}
                ingress:
                  enabled: true
                  className: nginx
                  host: api.million.example
                  # The coarse per-client-address limit HAProxy applies locally (stack/haproxy.cfg: 50,000
                  # requests per 10 s), in ingress-nginx: counted per controller pod, so the cluster-wide limit is
                  # this times the controller replicas; over it, 503 (or 429 with the controller's ConfigMap
                  # limit-req-status-code / limit-conn-status-code). README.md, "Rate limiting".
                  annotations:
                    nginx.ingress.kubernetes.io/limit-rps: "5000"
                    nginx.ingress.kubernetes.io/limit-burst-multiplier: "5"
                    nginx.ingress.kubernetes.io/limit-connections: "1000"
                  tls: [{secretName: million-api-tls, hosts: [api.million.example]}]
                """.formatted(machine.get("date"), machine.get("cores"), machine.get("commit"), DESIGN_HIT_RATIO * 100,
                HIT_RATIOS[0] * 100, MAX_HEADROOM, HPA_TARGET * 100));
        for (String svc : List.of("catalog", "users", "orders")) {
            int min = Math.max(2, design.pods.get(svc));
            int max = Math.max(min + 1, (int) Math.ceil(worst.pods.get(svc) * MAX_HEADROOM));
            int shards = Math.min(MAX_SHARDS, design.shards.get(svc));
            long perPod = Math.round(design.originRps.getOrDefault(svc, 0.0) / design.pods.get(svc) / 100.0) * 100;
            y.append('\n').append(svc).append(":\n  enabled: true\n  postgres:\n");
            if (design.shards.get(svc) > MAX_SHARDS) {
                y.append(String.format(L, "    # The model needs %d shards at the design point; %d is the build's slot limit "
                        + "(perf/report.md: the next bottleneck).%n", design.shards.get(svc), MAX_SHARDS));
            }
            y.append("    shards:\n");
            for (int i = 0; i < shards; i++) {
                y.append(String.format(L, "      - url: postgresql://%s-pg-%d.db.internal:5432/%s_%d%n", svc, i, svc, i));
            }
            y.append(String.format(L, """
                        username: %1$s
                        passwordSecret: {name: million-%1$s-postgres, key: password}
                        # %3$.0f transactions/s at the design point over %4$d shards; Little's law per pod and shard.
                        poolSize: %2$d
                      redis:
                        hosts: redis://%1$s-redis.cache.internal:6379
                        passwordSecret: {name: million-%1$s-redis, key: password}
                      resources:
                        requests: {cpu: "%5$.0f", memory: 1536Mi}
                        limits: {cpu: "%5$.0f", memory: 1536Mi}
                      autoscaling:
                        enabled: true
                        # %6$.1f cores at a %7$.0f %% edge hit ratio; %8$.1f at %9$.0f %%.
                        minReplicas: %10$d
                        maxReplicas: %11$d
                        targetCPUUtilizationPercentage: %12$.0f
                        requestsPerSecond: {enabled: true, metricName: http_server_requests_per_second, targetPerPod: "%13$d"}
                        behavior:
                          scaleUp: {stabilizationWindowSeconds: 0, percent: 100, pods: 8, periodSeconds: 15}
                          scaleDown: {stabilizationWindowSeconds: 600, percent: 5, periodSeconds: 60}
                      pdb: {enabled: true, maxUnavailable: 10%%}
                      topologySpread: {enabled: true, maxSkew: 2, whenUnsatisfiable: ScheduleAnyway}
                    """, svc, poolSize(design, svc), design.pgTx.get(svc), shards, POD_CPU, design.cores.get(svc),
                    DESIGN_HIT_RATIO * 100, worst.cores.get(svc), HIT_RATIOS[0] * 100, min, max, HPA_TARGET * 100,
                    Math.max(100, perPod)));
        }
        return y.toString();
    }

    // ------------------------------------------------------------------ charts

    static final Color[] PALETTE = {new Color(0x1f77b4), new Color(0xff7f0e), new Color(0x2ca02c), new Color(0xd62728),
        new Color(0x9467bd), new Color(0x8c564b), new Color(0x17becf), new Color(0x7f7f7f), new Color(0xbcbd22)};

    record Series(String name, double[] x, double[] y) {
    }

    /** A line chart with points; logY for latencies. */
    static void chart(Path file, String title, String xLabel, String yLabel, List<Series> series, boolean logY) throws IOException {
        int w = 900;
        int h = 520;
        int left = 80;
        int right = 190;
        int top = 40;
        int bottom = 60;
        BufferedImage image = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, w, h);
        double xMax = 0;
        double yMin = Double.MAX_VALUE;
        double yMax = 0;
        for (Series s : series) {
            for (int i = 0; i < s.x.length; i++) {
                if (Double.isFinite(s.y[i]) && (!logY || s.y[i] > 0)) {
                    xMax = Math.max(xMax, s.x[i]);
                    yMax = Math.max(yMax, s.y[i]);
                    yMin = Math.min(yMin, s.y[i]);
                }
            }
        }
        double xTop = niceCeil(xMax);
        double lo = logY ? Math.pow(10, Math.floor(Math.log10(Math.max(yMin, 1e-3)))) : 0;
        double hi = logY ? Math.pow(10, Math.ceil(Math.log10(Math.max(yMax, lo * 10)))) : niceCeil(yMax);
        int pw = w - left - right;
        int ph = h - top - bottom;
        Function<Double, Integer> px = x -> left + (int) Math.round(x / xTop * pw);
        Function<Double, Integer> py = y -> top + ph - (int) Math.round(logY
                ? (Math.log10(y) - Math.log10(lo)) / (Math.log10(hi) - Math.log10(lo)) * ph : y / hi * ph);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
        g.setColor(new Color(0xdddddd));
        List<Double> yTicks = new ArrayList<>();
        if (logY) {
            for (double t = lo; t <= hi * 1.001; t *= 10) {
                yTicks.add(t);
            }
        } else {
            for (int i = 0; i <= 5; i++) {
                yTicks.add(hi * i / 5);
            }
        }
        for (double t : yTicks) {
            g.setColor(new Color(0xdddddd));
            g.drawLine(left, py.apply(t), left + pw, py.apply(t));
            g.setColor(Color.DARK_GRAY);
            String label = t >= 1 ? String.format(L, "%,.0f", t) : String.format(L, "%s", t);
            g.drawString(label, left - 8 - g.getFontMetrics().stringWidth(label), py.apply(t) + 4);
        }
        for (int i = 0; i <= 5; i++) {
            double t = xTop * i / 5;
            g.setColor(new Color(0xdddddd));
            g.drawLine(px.apply(t), top, px.apply(t), top + ph);
            g.setColor(Color.DARK_GRAY);
            String label = String.format(L, "%,.0f", t);
            g.drawString(label, px.apply(t) - g.getFontMetrics().stringWidth(label) / 2, top + ph + 18);
        }
        g.setColor(Color.BLACK);
        g.drawRect(left, top, pw, ph);
        g.drawString(xLabel, left + pw / 2 - g.getFontMetrics().stringWidth(xLabel) / 2, h - 18);
        g.rotate(-Math.PI / 2);
        g.drawString(yLabel, -(top + ph / 2 + g.getFontMetrics().stringWidth(yLabel) / 2), 18);
        g.rotate(Math.PI / 2);
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 14));
        g.drawString(title, left, 24);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
        for (int k = 0; k < series.size(); k++) {
            Series s = series.get(k);
            Color c = PALETTE[k % PALETTE.length];
            g.setColor(c);
            g.setStroke(new BasicStroke(2f));
            Integer lastX = null;
            Integer lastY = null;
            for (int i = 0; i < s.x.length; i++) {
                if (!Double.isFinite(s.y[i]) || (logY && s.y[i] <= 0)) {
                    lastX = null;
                    continue;
                }
                int x = px.apply(s.x[i]);
                int y = py.apply(Math.min(s.y[i], hi));
                g.fillOval(x - 3, y - 3, 7, 7);
                if (lastX != null) {
                    g.drawLine(lastX, lastY, x, y);
                }
                lastX = x;
                lastY = y;
            }
            g.fillRect(left + pw + 15, top + 10 + k * 20, 14, 4);
            g.setColor(Color.BLACK);
            g.drawString(s.name, left + pw + 35, top + 16 + k * 20);
        }
        g.dispose();
        ImageIO.write(image, "png", file.toFile());
    }

    static double niceCeil(double v) {
        if (v <= 0) {
            return 1;
        }
        double p = Math.pow(10, Math.floor(Math.log10(v)));
        for (double m : new double[] {1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10}) {
            if (m * p >= v) {
                return m * p;
            }
        }
        return 10 * p;
    }

    // ------------------------------------------------------------------ the report

    static String f0(double v) {
        return Double.isFinite(v) ? String.format(L, "%,.0f", v) : "-";
    }

    static String f1(double v) {
        return Double.isFinite(v) ? String.format(L, "%,.1f", v) : "-";
    }

    static String f2(double v) {
        return Double.isFinite(v) ? String.format(L, "%,.2f", v) : "-";
    }

    static String pct(double v) {
        return Double.isFinite(v) ? String.format(L, "%.0f %%", v * 100) : "-";
    }

    String report(Path charts) throws IOException {
        Files.createDirectories(charts);
        StringBuilder md = new StringBuilder();
        Sizing design = size(DESIGN_HIT_RATIO);
        List<Integer> scales = scales();
        int most = scales.get(scales.size() - 1);
        md.append("# Million: capacity report\n\n");
        md.append(String.format(L, "Generated by `perf/capacity/report.sh` (the model: `perf/capacity/Report.java`) from "
                + "`perf/capacity/results.txt`, measured %s on %s cores (%s), %s GiB, commit %s. Every number below is "
                + "computed from a line of that file.%n%n", machine.get("date"), machine.get("cores"),
                machine.getOrDefault("cpu", "?").replace('_', ' '), machine.get("memory_gib"), machine.get("commit")));
        md.append("## Summary\n\n");
        String bottleneck = nextBottleneck(design);
        md.append(String.format(L, "- **1,000,000 requests per second at the edge need about %,.0f cores** at a %.0f %% edge "
                + "hit ratio (%,.0f at 50 %%, %,.0f at 80 %%): %s service pods of %.0f cores, %d PostgreSQL shard primaries of "
                + "%.0f cores, Redis, Kafka, the edge and HAProxy (table below).%n", design.totalCores, DESIGN_HIT_RATIO * 100,
                size(0.5).totalCores, size(0.8).totalCores, design.pods.values().stream().mapToInt(Integer::intValue).sum(),
                POD_CPU, design.shards.values().stream().mapToInt(Integer::intValue).sum(), SHARD_CORES));
        md.append("- **Next bottleneck:** ").append(bottleneck).append('\n');
        md.append(String.format(L, "- **Where the cores go**: the services' CPU per request at load (unit costs scaled to the "
                + "curve): a product read %s ms of catalog CPU, a listing %s ms, a user read %s ms of users CPU, an order %s ms "
                + "over the three services (the saga's consumers included) plus %s ms of PostgreSQL and %s ms of Kafka. Each "
                + "replica also burns %s cores idle (outbox relays polling every shard, heartbeats, rate-limit syncs).%n",
                f2(1000 * scaled("product", "catalog")), f2(1000 * scaled("listing", "catalog")), f2(1000 * scaled("user", "users")),
                f2(1000 * (scaled("order", "users") + scaled("order", "catalog") + scaled("order", "orders"))),
                f2(1000 * scaled("order", "postgres")), f2(1000 * scaled("order", "kafka")),
                f2(SERVICES.stream().mapToDouble(this::idlePerPod).average().orElse(0))));
        for (int n : scales) {
            md.append(String.format(L, "- This box (%s cores, everything on it, the load generator on core %s) serves the "
                    + "mix at up to **%,.0f req/s through the edge** and **%,.0f req/s through HAProxy** with %d replica%s "
                    + "per service (highest unsaturated step).%n", machine.get("cores"), machine.get("loadgen_cpus"),
                    capacity(sweep("edge", n)), capacity(sweep("haproxy", n)), n, n == 1 ? "" : "s"));
        }
        md.append(String.format(L, "- Baselines in the same run: nginx serving a product's bytes %s req/s, an edge hit of "
                + "the same product %s req/s (%.2fx); pgbench running an order's transaction %s tps; redis-benchmark %s "
                + "ops/s.%n%n", f0(baseline.d("nginx_rps")), f0(baseline.d("edge_hit_rps")),
                baseline.d("edge_hit_rps") / baseline.d("nginx_rps"), f0(baseline.d("pgbench_order_tps")),
                f0(baseline.d("redis_ops"))));

        md.append("## The workload\n\n| endpoint | share | request | service |\n| --- | --- | --- | --- |\n");
        Map<String, String> what = Map.of("product", "`GET /v1/products/{id}`, Zipf(1.0) over the products",
                "listing", "`GET /v1/products?category=..&limit=20`, Zipf(1.0) over the categories",
                "user", "`GET /v1/users/{id}` with the user's token", "order",
                "`POST /v1/orders`, one item, a fresh `Idempotency-Key`", "update", "`PATCH /v1/products/{id}` (merge patch)");
        mix.forEach((e, share) -> md.append(String.format(L, "| %s | %s | %s | %s |%n", e, pct(share),
                what.getOrDefault(e, e), serviceOf(e))));
        md.append("\nConstant rate (open loop, `perf/load/Load.java`): latency is measured from when each request was due. "
                + "Each curve grows the offered rate until a step is saturated (goodput under 95 % of the offered rate, "
                + "p99 over 1 s, or requests that could not be sent).\n\n");

        md.append("## Curves\n\n");
        for (int n : scales) {
            for (String path : List.of("edge", "haproxy")) {
                List<Step> steps = sweep(path, n);
                if (steps.isEmpty()) {
                    continue;
                }
                String base = path + "-" + n;
                List<Series> thr = new ArrayList<>();
                List<Series> lat = new ArrayList<>();
                double[] x = steps.stream().mapToDouble(Step::offered).toArray();
                for (String e : steps.get(0).loads.keySet()) {
                    thr.add(new Series(e, x, steps.stream().mapToDouble(s -> s.loads.containsKey(e) ? s.loads.get(e).d("goodput") : Double.NaN).toArray()));
                    lat.add(new Series(e + " p99", x, steps.stream().mapToDouble(s -> s.loads.containsKey(e) ? s.loads.get(e).d("p99_2xx") : Double.NaN).toArray()));
                }
                lat.add(1, new Series("all p50", x, steps.stream().mapToDouble(s -> s.all().d("p50_2xx")).toArray()));
                lat.add(2, new Series("all p99.9", x, steps.stream().mapToDouble(s -> s.all().d("p999_2xx")).toArray()));
                chart(charts.resolve("throughput-" + base + ".png"), "Goodput (2xx/s) vs offered load, through " + path
                        + ", " + n + " replica(s)", "offered req/s (all endpoints)", "2xx per second", thr, false);
                chart(charts.resolve("latency-" + base + ".png"), "Latency of 2xx vs offered load (p99 per endpoint), through " + path + ", " + n
                        + " replica(s)", "offered req/s (all endpoints)", "ms (log)", lat, true);
                md.append(String.format(L, "### Through %s, %d replica%s per service%n%n", path, n, n == 1 ? "" : "s"));
                md.append(String.format(L, "![goodput](report/throughput-%s.png)%n![latency](report/latency-%s.png)%n%n", base, base));
                md.append("| offered | goodput | p50 | p99 | p99.9 | non-2xx | box CPU | users cores | catalog cores | orders cores | PostgreSQL cores | edge hit ratio |\n");
                md.append("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |\n");
                for (Step s : steps) {
                    Line all = s.all();
                    md.append(String.format(L, "| %s | %s | %s ms | %s ms | %s ms | %s | %s | %s | %s | %s | %s | %s |%n",
                            f0(s.offered()), f0(all.d("goodput")), f1(all.d("p50_2xx")), f1(all.d("p99_2xx")),
                            f1(all.d("p999_2xx")), nonOk(all), pct(s.cpu()), f2(s.cores("users", clk)),
                            f2(s.cores("catalog", clk)), f2(s.cores("orders", clk)), f2(s.cores("postgres", clk)),
                            path.equals("edge") ? pct(edgeHitRatio(s)) : "-"));
                }
                md.append("\nPer endpoint (p50 / p99 / p99.9 of 2xx, ms):\n\n| offered |");
                List<String> names = steps.get(0).loads.keySet().stream().filter(e -> !e.equals("all")).toList();
                names.forEach(e -> md.append(' ').append(e).append(" |"));
                md.append("\n| --- |").append(" --- |".repeat(names.size())).append('\n');
                for (Step s : steps) {
                    md.append("| ").append(f0(s.offered())).append(" |");
                    for (String e : names) {
                        Line l = s.loads.get(e);
                        md.append(l == null ? " - |" : String.format(L, " %s / %s / %s |", f1(l.d("p50_2xx")),
                                f1(l.d("p99_2xx")), f1(l.d("p999_2xx"))));
                    }
                    md.append('\n');
                }
                md.append('\n');
            }
        }
        // Scale-out and hit ratios.
        List<Series> scaleOut = new ArrayList<>();
        for (int n : scales) {
            for (String path : List.of("haproxy", "edge")) {
                List<Step> steps = sweep(path, n);
                scaleOut.add(new Series(path + ", " + n + " repl.", steps.stream().mapToDouble(Step::offered).toArray(),
                        steps.stream().mapToDouble(s -> s.all().d("goodput")).toArray()));
            }
        }
        chart(charts.resolve("scale-out.png"), "Goodput of the mix by replicas per service", "offered req/s",
                "2xx per second", scaleOut, false);
        List<Series> hits = new ArrayList<>();
        for (int n : scales) {
            List<Step> steps = sweep("edge", n);
            hits.add(new Series("edge, " + n + " repl.", steps.stream().mapToDouble(Step::offered).toArray(),
                    steps.stream().mapToDouble(s -> 100 * edgeHitRatio(s)).toArray()));
        }
        chart(charts.resolve("hit-ratio.png"), "Edge hit ratio (product reads and listings) vs offered load",
                "offered req/s", "per cent", hits, false);
        md.append("## Scale-out on this box\n\n![scale-out](report/scale-out.png)\n\n| replicas per service | through the edge | through HAProxy |\n| --- | --- | --- |\n");
        for (int n : scales) {
            md.append(String.format(L, "| %d | %s req/s | %s req/s |%n", n, f0(capacity(sweep("edge", n))),
                    f0(capacity(sweep("haproxy", n)))));
        }
        md.append(String.format(L, "%nOn %s cores every replica, PostgreSQL, Redis, Kafka, Varnish, HAProxy and the load "
                + "generator share the same CPUs: a second replica adds no core, so the curves show where the box itself "
                + "is the limit, not how the platform scales. On a bigger machine, `SCALE=\"1 2 4 8\" "
                + "perf/capacity/report.sh` runs the same curves with more replicas.%n%n", machine.get("cores")));
        md.append("## Hit ratios\n\n![hit ratio](report/hit-ratio.png)\n\n");

        md.append("## Unit costs (each endpoint alone, through HAProxy, less the idle rates)\n\n");
        md.append("| endpoint | users CPU ms | catalog CPU ms | orders CPU ms | PostgreSQL CPU ms | Kafka CPU ms | PG transactions (primary) | PG transactions (replica) | Redis commands | Kafka messages |\n");
        md.append("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |\n");
        for (String e : mix.keySet()) {
            Map<String, Double> u = units.get(e);
            md.append(String.format(L, "| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |%n", e, f2(1000 * u.getOrDefault("cpu_users", 0.0)),
                    f2(1000 * u.getOrDefault("cpu_catalog", 0.0)), f2(1000 * u.getOrDefault("cpu_orders", 0.0)),
                    f2(1000 * u.getOrDefault("cpu_postgres", 0.0)), f2(1000 * u.getOrDefault("cpu_kafka", 0.0)), f2(sum(u, "pg_")), f2(sum(u, "pgreplica_")),
                    f2(sum(u, "redis_")), f2(sum(u, "kafka_"))));
        }
        md.append(String.format(L, "%nIdle (no request): users %.2f, catalog %.2f, orders %.2f cores; PostgreSQL %.2f cores, "
                + "%,.0f transactions/s (outbox relays, heartbeats); box %s busy.%n%n", idleRate("cpu_users") / clk,
                idleRate("cpu_catalog") / clk, idleRate("cpu_orders") / clk, idleRate("cpu_postgres") / clk,
                idleRate("pg_users") + idleRate("pg_catalog") + idleRate("pg_orders"), pct(idle.d("box_busy") / idle.d("box_total"))));

        md.append(String.format(L, "## Per-core figures (through HAProxy, %d replicas, the step at %s box CPU, %s req/s offered)%n%n",
                calibrationReplicas, pct(calibrated.cpu()), f0(calibrated.offered())));
        md.append("| service | requests/s | cores used | requests per core-second | idle cores per replica |\n| --- | --- | --- | --- | --- |\n");
        List<Series> perCore = new ArrayList<>();
        for (String svc : SERVICES) {
            md.append(String.format(L, "| %s | %s | %s | %s | %s |%n", svc, f0(calibrated.counters.d("req_" + svc) / calibrated.seconds()),
                    f2(calibrated.cores(svc, clk)), f0(perCore(svc)), f2(idlePerPod(svc))));
        }
        for (int k = 0; k < SERVICES.size(); k++) {
            String svc = SERVICES.get(k);
            List<Step> steps = sweep("haproxy", calibrationReplicas);
            perCore.add(new Series(svc, steps.stream().mapToDouble(s -> 100 * s.cpu()).toArray(),
                    steps.stream().mapToDouble(s -> s.counters.d("req_" + svc) / (s.counters.d("cpu_" + svc) / clk)).toArray()));
        }
        chart(charts.resolve("per-core.png"), "Requests per core-second of each service vs the box's CPU (HAProxy)",
                "box CPU %", "requests per core-second", perCore, false);
        md.append("\n![per core](report/per-core.png)\n\n");
        md.append(String.format(L, "The unit costs were measured at a low rate, where work paid per interval (rate-limit syncs, "
                + "outbox polls, Kafka fetches) weighs on each request; the model scales each CPU group's unit costs by a factor "
                + "fitted to the HAProxy curve with %d replicas (least squares of the measured cores above idle on the unit costs' "
                + "prediction, over the steps that kept up), and adds each pod's idle CPU; PostgreSQL transactions and Redis commands "
                + "likewise:%n%n| counter | factor |%n| --- | --- |%n",
                calibrationReplicas));
        calibration.forEach((group, k) -> md.append(String.format(L, "| %s | %s |%n", group, f2(k))));
        md.append(String.format(L, "%%nVarnish: %s ms of CPU per request through the edge (fitted over the edge curves).%%n%%n",
                f2(1000 * edgeCpuPerRequest())).replace("%n", "\n"));

        md.append("## The model: 1,000,000 req/s at the edge\n\n");
        md.append(String.format(L, "Pods of %.0f cores at an HPA CPU target of %.0f %%; PostgreSQL shard primaries of %.0f "
                + "cores, each good for the per-shard ceiling measured here scaled by cores (%s tps on %s shared cores -> %s "
                + "tps, used at %.0f %%: an extrapolation, unverified on real servers); Redis instances at %.0f %% of "
                + "redis-benchmark's %s ops/s, %.0f cores each; Kafka brokers of %.0f cores at %.0f %% (at least 3). The shards of a service are the "
                + "larger of its transactions against that ceiling and its share of PostgreSQL's measured CPU against a primary's cores.%n%n", POD_CPU,
                HPA_TARGET * 100, SHARD_CORES, f0(baseline.d("pgbench_order_tps")), machine.get("cores"), f0(shardCeiling()),
                SHARD_HEADROOM * 100, REDIS_HEADROOM * 100, f0(baseline.d("redis_ops")), REDIS_CORES, BROKER_CORES, HPA_TARGET * 100));
        md.append("| edge hit ratio |");
        for (double h : HIT_RATIOS) {
            md.append(' ').append(pct(h)).append(" |");
        }
        md.append("\n| --- |").append(" --- |".repeat(HIT_RATIOS.length)).append('\n');
        List<Sizing> sizings = new ArrayList<>();
        for (double h : HIT_RATIOS) {
            sizings.add(size(h));
        }
        row(md, "origin req/s (users / catalog / orders)", sizings, s -> f0(s.originRps.getOrDefault("users", 0.0)) + " / "
                + f0(s.originRps.getOrDefault("catalog", 0.0)) + " / " + f0(s.originRps.getOrDefault("orders", 0.0)));
        row(md, "service cores (users / catalog / orders)", sizings, s -> f0(s.cores.get("users")) + " / "
                + f0(s.cores.get("catalog")) + " / " + f0(s.cores.get("orders")));
        row(md, "pods (users / catalog / orders)", sizings, s -> s.pods.get("users") + " / " + s.pods.get("catalog") + " / "
                + s.pods.get("orders"));
        row(md, "PostgreSQL tx/s on primaries (users / catalog / orders)", sizings, s -> f0(s.pgTx.get("users")) + " / "
                + f0(s.pgTx.get("catalog")) + " / " + f0(s.pgTx.get("orders")));
        row(md, "PostgreSQL cores (users / catalog / orders)", sizings, s -> f0(s.pgCores.get("users")) + " / "
                + f0(s.pgCores.get("catalog")) + " / " + f0(s.pgCores.get("orders")));
        row(md, "shards needed (users / catalog / orders)", sizings, s -> s.shards.get("users") + " / " + s.shards.get("catalog")
                + " / " + s.shards.get("orders"));
        row(md, "connections per shard at maxReplicas (users / catalog / orders)", sizings, s -> SERVICES.stream()
                .map(svc -> Integer.toString(connectionsPerShard(s, svc))).collect(Collectors.joining(" / ")));
        row(md, "Redis commands/s (users / catalog / orders)", sizings, s -> f0(s.redisOps.get("users")) + " / "
                + f0(s.redisOps.get("catalog")) + " / " + f0(s.redisOps.get("orders")));
        row(md, "Redis instances (users / catalog / orders)", sizings, s -> s.redisInstances.get("users") + " / "
                + s.redisInstances.get("catalog") + " / " + s.redisInstances.get("orders"));
        row(md, "transactions/s per shard (users / catalog / orders)", sizings, s -> SERVICES.stream()
                .map(svc -> f0(s.pgTx.get(svc) / s.shards.get(svc))).collect(Collectors.joining(" / ")));
        row(md, "Kafka messages/s; broker cores; brokers", sizings, s -> f0(s.kafkaMessages) + "; " + f1(s.kafkaCores) + "; "
                + s.brokers);
        row(md, "edge cores (Varnish) / HAProxy cores", sizings, s -> f0(s.edgeCores) + " / " + f0(s.haproxyCores));
        row(md, "**total cores**", sizings, s -> "**" + f0(s.totalCores) + "**");
        md.append(String.format(L, "%nKafka partitions per event topic: %d (at least one per consumer pod of the busiest "
                + "consuming service at maxReplicas, so every pod gets work).%n", partitions(design)));
        md.append(String.format(L, "%n`helm/million/values-1m-rps.yaml` is generated from the %.0f %% column (minReplicas) and "
                + "the 50 %% column with %.1fx headroom (maxReplicas); `helm/tests/run` fails when it and the model disagree.%n",
                DESIGN_HIT_RATIO * 100, MAX_HEADROOM));
        return md.toString();
    }

    int connectionsPerShard(Sizing s, String svc) {
        Sizing worst = size(HIT_RATIOS[0]);
        int max = (int) Math.ceil(worst.pods.get(svc) * MAX_HEADROOM);
        return max * poolSize(s, svc);
    }

    int partitions(Sizing s) {
        Sizing worst = size(HIT_RATIOS[0]);
        return SERVICES.stream().mapToInt(svc -> (int) Math.ceil(worst.pods.get(svc) * MAX_HEADROOM)).max().orElse(1);
    }

    String nextBottleneck(Sizing s) {
        List<String> found = new ArrayList<>();
        for (String svc : SERVICES) {
            if (s.shards.get(svc) > MAX_SHARDS) {
                found.add(String.format(L, "PostgreSQL for %s needs %d shards of %.0f cores at the design point, over the "
                        + "%d slots a build supports (more slots, or bigger primaries)", svc, s.shards.get(svc), SHARD_CORES, MAX_SHARDS));
            }
            if (connectionsPerShard(s, svc) > PG_MAX_CONNECTIONS) {
                found.add(String.format(L, "%s opens %d connections per shard at maxReplicas, over %d (PgBouncer in front "
                        + "of each shard)", svc, connectionsPerShard(s, svc), PG_MAX_CONNECTIONS));
            }
        }
        if (found.isEmpty()) {
            String busiest = SERVICES.stream().max((a, b) -> Double.compare(s.cores.get(a), s.cores.get(b))).orElseThrow();
            found.add(String.format(L, "the %s service's CPU (%,.0f of the service cores): its unit cost is the lever", busiest,
                    s.cores.get(busiest)));
        }
        return String.join("; ", found) + ".";
    }

    static void row(StringBuilder md, String name, List<Sizing> sizings, Function<Sizing, String> cell) {
        md.append("| ").append(name).append(" |");
        sizings.forEach(s -> md.append(' ').append(cell.apply(s)).append(" |"));
        md.append('\n');
    }

    static double sum(Map<String, Double> u, String prefix) {
        return u.entrySet().stream().filter(e -> e.getKey().startsWith(prefix)).mapToDouble(Map.Entry::getValue).sum();
    }

    static String nonOk(Line all) {
        String statuses = all.s("statuses").replaceAll("[{}]", "");
        List<String> bad = new ArrayList<>();
        for (String kv : statuses.split(",")) {
            if (!kv.isBlank() && !kv.startsWith("2")) {
                bad.add(kv.replace('=', ':'));
            }
        }
        return bad.isEmpty() ? "0" : String.join(" ", bad);
    }

    public static void main(String[] args) throws Exception {
        boolean check = args.length > 0 && args[0].equals("--check");
        Path results = Path.of(args[check ? 1 : 0]);
        Path root = Path.of(System.getProperty("million.root", ".")); // the repository: where the report and the values file go
        Path valuesFile = root.resolve("helm/million/values-1m-rps.yaml");
        Report r = new Report(results);
        r.prepare();
        String values = r.values();
        if (check) {
            String current = Files.readString(valuesFile);
            if (!current.equals(values)) {
                System.err.println(valuesFile + " differs from the capacity model (" + results + "); regenerate it with "
                        + "`java perf/capacity/Report.java " + results + "`. First difference at line "
                        + firstDifference(current, values));
                System.exit(1);
            }
            System.out.println("values-1m-rps.yaml matches the capacity model");
            return;
        }
        Files.writeString(valuesFile, values);
        Path reportFile = root.resolve("perf/report.md");
        Files.writeString(reportFile, r.report(root.resolve("perf/report")));
        System.out.println("wrote " + reportFile + ", perf/report/*.png and " + valuesFile);
    }

    static int firstDifference(String a, String b) {
        String[] x = a.split("\n", -1);
        String[] y = b.split("\n", -1);
        for (int i = 0; i < Math.min(x.length, y.length); i++) {
            if (!x[i].equals(y[i])) {
                return i + 1;
            }
        }
        return Math.min(x.length, y.length) + 1;
    }
}
