import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The chaos suite's load and its verdict (started by stack/tests/chaos, which also injects and
 * repairs each fault when this program asks it to).
 *
 * <p>A constant-rate mixed load runs through the edge for the whole suite: requests are due at
 * fixed intervals whatever the platform does (open loop), each of a kind drawn with fixed weights
 * from a seeded random. Every answer is kept with the time it was due, its kind, the key it
 * named and its status. Faults come in turn: a calm baseline, the fault injected and held, the
 * repair, then the load goes on until no request has failed for {@code CALM} (bounded). For each
 * fault the table gives the answers by status, the share of requests for keys the fault does
 * not touch that were served (2xx) while it lasted, and the recovery time: from the end of the
 * repair to the last failed request. Then every acknowledged write is checked.
 *
 * <p>Written by hand because no load tool here mixes kinds, names keys and keeps per-request
 * outcomes (wrk and h2load report totals). Loopback only: every URL is built from 127.0.0.1.
 */
public class Chaos {

    static final String EDGE = "http://127.0.0.1:" + env("MILLION_HTTP_PORT", "8080");
    static final int RATE = Integer.parseInt(env("CHAOS_RATE", "80"));
    static final int HOLD = Integer.parseInt(env("CHAOS_HOLD_SECONDS", "15"));
    static final int BASELINE = Integer.parseInt(env("CHAOS_BASELINE_SECONDS", "8"));
    static final int WARMUP = Integer.parseInt(env("CHAOS_WARMUP_SECONDS", "30"));
    static final Duration CALM = Duration.ofSeconds(5);
    static final Duration RECOVERY_MAX = Duration.ofSeconds(60);
    static final Duration SAGA_MAX = Duration.ofSeconds(120);
    static final double MIN_UNAFFECTED = Double.parseDouble(env("CHAOS_MIN_UNAFFECTED", "0.99"));
    static final int MAX_INFLIGHT = 400;
    static final int DOWN_SHARD = 1;
    static final String SELF = System.getProperty("chaos.self");
    static final String MILLION = System.getProperty("chaos.million");
    static final Path LOG = Path.of(System.getProperty("chaos.log"));
    static final long T0 = System.nanoTime();

    /** The faults, in the order they are injected; {@code shard} is the one that takes keys away. */
    static final List<String> FAULTS = List.of(env("CHAOS_FAULTS", "redis shard pg-replica kafka replicas").split(" +"));

    enum Kind {
        USER_READ("users", 15, false), PRODUCT_READ("catalog", 20, false), PRODUCT_EDGE("catalog", 10, false),
        LISTING("catalog", 10, false), ORDER_READ("orders", 10, false), ORDER_PLACE("orders", 10, true),
        PRODUCT_PATCH("catalog", 10, true), REGISTER("users", 15, true);

        final String service;
        final int weight;
        final boolean writes;

        Kind(String service, int weight, boolean writes) {
            this.service = service;
            this.weight = weight;
            this.writes = writes;
        }

        /** Whether a request of this kind for this key may need the shard that is down. */
        boolean needsDownShard(long key, Map<String, int[]> maps) {
            return switch (this) {
                case LISTING, REGISTER -> true; // every shard, or a shard not known before the answer
                case ORDER_PLACE -> maps.get(service)[bucketOfUser(key)] == DOWN_SHARD; // the user's shard
                default -> maps.get(service)[bucketOf(key)] == DOWN_SHARD;
            };
        }
    }

    record Answer(long due, long took, int phase, Kind kind, long key, int status, String retryAfter, String body) {
        boolean ok() {
            return status >= 200 && status < 300;
        }

        /**
         * README's statuses: for a dependency that is slow or down, or a limit, 503 and 429 with
         * Retry-After; when a replica dies, 502 for a write it had in flight (HAProxy replays only
         * reads and keyed orders).
         */
        boolean documented(String fault) {
            return ok() || ((status == 503 || status == 429) && retryAfter != null)
                    || (status == 502 && fault.equals("replicas") && kind.writes);
        }

        String outcome() {
            return status + (retryAfter == null ? "" : " (Retry-After " + retryAfter + ")");
        }
    }

    record User(long id, String email, String token) {
    }

    static final class Phase {
        final String name;
        long injected;
        long repaired;
        long calm;
        long ended;
        long sagaDone = -1;
        final List<Long> orders = java.util.Collections.synchronizedList(new ArrayList<>());

        Phase(String name) {
            this.name = name;
        }
    }

    static final HttpClient CLIENT = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .executor(Executors.newFixedThreadPool(4)).connectTimeout(Duration.ofSeconds(5)).build();
    static final ConcurrentLinkedQueue<Answer> ANSWERS = new ConcurrentLinkedQueue<>();
    static final List<Phase> PHASES = new java.util.concurrent.CopyOnWriteArrayList<>();
    static volatile int currentPhase;
    static long loadStarted;
    static final AtomicInteger INFLIGHT = new AtomicInteger();
    static final AtomicInteger UNSENT = new AtomicInteger();

    // What was acknowledged: the verdict checks each is there.
    static final Map<Long, String> REGISTERED = new ConcurrentHashMap<>();
    static final Map<Long, Long> ORDERS_PLACED = new ConcurrentHashMap<>(); // order -> user
    static final Map<Long, PriceLog> PRICES = new ConcurrentHashMap<>();

    /** One product's updates, sent one at a time: what the stored price may be at the end. */
    static final class PriceLog {
        final AtomicBoolean busy = new AtomicBoolean();
        volatile long acknowledged = -1;
        final List<Long> unknownAfter = new ArrayList<>(); // sent after the last acknowledged one, outcome unknown

        synchronized void answered(long price, boolean ok) {
            if (ok) {
                acknowledged = price;
                unknownAfter.clear();
            } else {
                unknownAfter.add(price);
            }
        }

        synchronized boolean allows(long stored) {
            return stored == acknowledged || unknownAfter.contains(stored);
        }
    }

    static List<User> users;
    static List<Long> products;
    static List<Long> patched;
    static List<Long> orders;
    static String category;
    static String admin;
    static String operator;
    static Map<String, int[]> maps = new TreeMap<>();

    public static void main(String[] args) throws Exception {
        String run = Long.toString(System.currentTimeMillis() % 100_000_000L, 36);
        admin = token("chaos-admin", "catalog-admin");
        operator = token("chaos-operator", "operator");
        for (String service : List.of("users", "catalog", "orders")) {
            maps.put(service, shardMap(service));
        }
        setUp(run);
        say("load: %d requests/s through %s, mixed %s; faults held %d s each: %s", RATE, EDGE, weights(), HOLD,
                String.join(", ", FAULTS));

        AtomicBoolean loading = new AtomicBoolean(true);
        Thread generator = new Thread(() -> generate(loading, run), "chaos-load");
        // Warm-up (reported, not judged): replicas just started have not compiled their hot code
        // yet. At least WARMUP seconds, then until 10 s pass with every request served (at most 120 s).
        Phase warmup = new Phase("warm-up");
        PHASES.add(warmup);
        warmup.injected = now();
        loadStarted = now();
        generator.start();
        sleep(Duration.ofSeconds(WARMUP));
        long warmDeadline = now() + Duration.ofSeconds(120 - WARMUP).toNanos();
        while (now() < warmDeadline && failedSince(now() - Duration.ofSeconds(11).toNanos())) {
            sleep(Duration.ofSeconds(1));
        }
        warmup.repaired = warmup.ended = now();
        Phase baseline = new Phase("none (baseline)");
        PHASES.add(baseline);
        baseline.injected = now();
        currentPhase = 1;
        sleep(Duration.ofSeconds(BASELINE));
        baseline.repaired = baseline.ended = now();
        for (String fault : FAULTS) {
            Phase phase = new Phase(fault);
            PHASES.add(phase);
            sleep(Duration.ofSeconds(2)); // calm between faults, counted in the previous phase
            phase.injected = now();
            currentPhase = PHASES.size() - 1;
            say("%s: injecting", fault);
            runFault(fault, "inject");
            sleep(Duration.ofSeconds(HOLD));
            say("%s: repairing", fault);
            runFault(fault, "restore");
            phase.repaired = now();
            List<Long> placedMeanwhile;
            synchronized (phase.orders) {
                placedMeanwhile = new ArrayList<>(phase.orders);
            }
            awaitCalm(phase);
            phase.calm = now();
            awaitSaga(phase, placedMeanwhile);
            phase.ended = now();
            say("%s: repaired in %.1f s; no failure for %d s from %.1f s after; orders decided %.1f s after",
                    fault, seconds(phase.repaired - phase.injected) - HOLD, CALM.toSeconds(),
                    seconds(phase.calm - phase.repaired) - CALM.toSeconds() - 1, seconds(phase.ended - phase.repaired));
        }
        loading.set(false);
        generator.join(30_000);
        awaitInflight();
        boolean passed = report();
        passed &= verify();
        say(passed ? "passed" : "FAILED");
        System.exit(passed ? 0 : 1);
    }

    // ------------------------------------------------------------------ the load

    static void generate(AtomicBoolean loading, String run) {
        Random random = new Random(42);
        int total = 0;
        for (Kind kind : Kind.values()) {
            total += kind.weight;
        }
        long interval = 1_000_000_000L / RATE;
        long next = System.nanoTime();
        AtomicLong registrations = new AtomicLong();
        while (loading.get()) {
            next += interval;
            long wait = next - System.nanoTime();
            if (wait > 0) {
                LockSupport.parkNanos(wait);
            }
            int pick = random.nextInt(total);
            Kind kind = Kind.values()[0];
            for (Kind k : Kind.values()) {
                if (pick < k.weight) {
                    kind = k;
                    break;
                }
                pick -= k.weight;
            }
            User user = users.get(random.nextInt(users.size()));
            long due = next - T0;
            int phase = currentPhase;
            if (INFLIGHT.get() >= MAX_INFLIGHT) {
                UNSENT.incrementAndGet();
                ANSWERS.add(new Answer(due, 0, phase, kind, user.id(), -1, null, "not sent: " + MAX_INFLIGHT + " in flight"));
                continue;
            }
            switch (kind) {
                case USER_READ -> send(due, phase, kind, user.id(), get("/v1/users/" + user.id(), user.token()), null);
                case PRODUCT_READ, PRODUCT_EDGE -> {
                    long product = products.get(random.nextInt(products.size()));
                    send(due, phase, kind, product,
                            get("/v1/products/" + product, kind == Kind.PRODUCT_READ ? user.token() : null), null);
                }
                case LISTING -> send(due, phase, kind, 0, get("/v1/products?category=" + category + "&limit=20",
                        user.token()), null);
                case ORDER_READ -> {
                    int i = random.nextInt(orders.size());
                    User owner = users.get(i % users.size());
                    send(due, phase, kind, orders.get(i), get("/v1/orders/" + orders.get(i), owner.token()), null);
                }
                case ORDER_PLACE -> {
                    long product = products.get(random.nextInt(products.size()));
                    HttpRequest request = json("/v1/orders", "POST", user.token(), "application/json",
                            "{\"userId\":\"" + user.id() + "\",\"items\":[{\"productId\":\"" + product
                                    + "\",\"quantity\":1}]}")
                            .header("Idempotency-Key", "chaos-" + UUID.randomUUID()).build();
                    send(due, phase, kind, user.id(), request, body -> {
                        long order = id(body);
                        ORDERS_PLACED.put(order, user.id());
                        PHASES.get(phase).orders.add(order);
                    });
                }
                case PRODUCT_PATCH -> {
                    long product = patched.get(random.nextInt(patched.size()));
                    PriceLog log = PRICES.get(product);
                    if (!log.busy.compareAndSet(false, true)) { // one update of a product at a time: a known order
                        send(due, phase, Kind.PRODUCT_READ, product, get("/v1/products/" + product, user.token()), null);
                        break;
                    }
                    long price = 1_000 + registrations.incrementAndGet();
                    HttpRequest request = json("/v1/products/" + product, "PATCH", admin,
                            "application/merge-patch+json", "{\"priceCents\":" + price + "}").build();
                    send(due, phase, kind, product, request, null, ok -> {
                        log.answered(price, ok);
                        log.busy.set(false);
                    });
                }
                case REGISTER -> {
                    String email = "chaos-" + run + "-" + registrations.incrementAndGet() + "@example.com";
                    HttpRequest request = json("/v1/users", "POST", null, "application/json",
                            "{\"email\":\"" + email + "\",\"name\":\"Chaos\"}").build();
                    send(due, phase, kind, 0, request, body -> REGISTERED.put(id(body), email));
                }
            }
        }
    }

    interface OnBody {
        void accept(String body);
    }

    interface OnOutcome {
        void accept(boolean ok);
    }

    static void send(long due, int phase, Kind kind, long key, HttpRequest request, OnBody onOk) {
        send(due, phase, kind, key, request, onOk, null);
    }

    static void send(long due, int phase, Kind kind, long key, HttpRequest request, OnBody onOk, OnOutcome outcome) {
        INFLIGHT.incrementAndGet();
        CLIENT.sendAsync(request, HttpResponse.BodyHandlers.ofString()).whenComplete((response, failure) -> {
            try {
                int status = failure != null ? 0 : response.statusCode();
                String retryAfter = failure != null ? null : response.headers().firstValue("Retry-After").orElse(null);
                String body = failure != null ? String.valueOf(failure) : response.body();
                Answer answer = new Answer(due, now() - due, phase, kind, key, status, retryAfter,
                        body.length() > 300 ? body.substring(0, 300) : body);
                if (answer.ok() && onOk != null) {
                    onOk.accept(body);
                }
                if (outcome != null) {
                    outcome.accept(answer.ok());
                }
                ANSWERS.add(answer);
            } finally {
                INFLIGHT.decrementAndGet();
            }
        });
    }

    static HttpRequest get(String path, String token) {
        HttpRequest.Builder builder = HttpRequest.newBuilder(URI.create(EDGE + path)).timeout(Duration.ofSeconds(10));
        if (token != null) {
            builder.header("Authorization", "Bearer " + token);
        }
        return builder.GET().build();
    }

    static HttpRequest.Builder json(String path, String method, String token, String type, String body) {
        HttpRequest.Builder builder = HttpRequest.newBuilder(URI.create(EDGE + path)).timeout(Duration.ofSeconds(10))
                .header("Content-Type", type).method(method, HttpRequest.BodyPublishers.ofString(body));
        if (token != null) {
            builder.header("Authorization", "Bearer " + token);
        }
        return builder;
    }

    /** After the repair, until no request due in the last CALM has failed (at most RECOVERY_MAX). */
    static void awaitCalm(Phase phase) {
        long deadline = now() + RECOVERY_MAX.toNanos();
        while (now() < deadline) {
            sleep(Duration.ofMillis(500));
            long since = now() - CALM.toNanos() - Duration.ofSeconds(1).toNanos(); // answers of the last second may still come
            if (since < phase.repaired) {
                continue;
            }
            if (!failedSince(since)) {
                return;
            }
        }
    }

    /** Until every order acknowledged while the fault lasted is decided (CONFIRMED or REJECTED), bounded. */
    static void awaitSaga(Phase phase, List<Long> placed) {
        List<Long> pending = placed;
        long deadline = now() + SAGA_MAX.toNanos();
        while (!pending.isEmpty() && now() < deadline) {
            pending = stillPending(pending);
            if (!pending.isEmpty()) {
                sleep(Duration.ofMillis(500));
            }
        }
        phase.sagaDone = pending.isEmpty() ? now() : -1;
    }

    /** Whether a request due since then (up to a second ago: later answers may still come) failed. */
    static boolean failedSince(long since) {
        long until = now() - Duration.ofSeconds(1).toNanos();
        return ANSWERS.stream().anyMatch(a -> a.due() >= since && a.due() <= until && !a.ok());
    }

    /** The orders that are not decided yet, asked 32 at a time. */
    static List<Long> stillPending(List<Long> orders) {
        List<Long> still = java.util.Collections.synchronizedList(new ArrayList<>());
        for (int from = 0; from < orders.size(); from += 32) {
            List<java.util.concurrent.CompletableFuture<?>> calls = new ArrayList<>();
            for (long order : orders.subList(from, Math.min(orders.size(), from + 32))) {
                calls.add(CLIENT.sendAsync(get("/v1/orders/" + order, operator), HttpResponse.BodyHandlers.ofString())
                        .handle((response, failure) -> {
                            if (failure != null || response.statusCode() != 200
                                    || "PENDING".equals(field(response.body(), "status"))) {
                                still.add(order);
                            }
                            return null;
                        }));
            }
            java.util.concurrent.CompletableFuture.allOf(calls.toArray(new java.util.concurrent.CompletableFuture[0])).join();
        }
        return still;
    }

    static void awaitInflight() {
        long deadline = now() + Duration.ofSeconds(15).toNanos();
        while (INFLIGHT.get() > 0 && now() < deadline) {
            sleep(Duration.ofMillis(100));
        }
    }

    // ------------------------------------------------------------------ the verdict

    static boolean report() {
        boolean passed = true;
        List<Answer> all = new ArrayList<>(ANSWERS);
        say("");
        say("%-16s %7s %7s %-38s %18s %16s %9s %10s %16s", "fault", "window", "sent", "answers by status",
                "unaffected served", "affected served", "recovery", "saga", "p50/p99 2xx ms");
        for (int p = 0; p < PHASES.size(); p++) {
            Phase phase = PHASES.get(p);
            boolean judged = p > 0;
            int index = p;
            List<Answer> answers = all.stream().filter(a -> a.phase() == index).toList();
            Map<Integer, Integer> statuses = new TreeMap<>();
            answers.forEach(a -> statuses.merge(a.status(), 1, Integer::sum));
            boolean takesKeys = phase.name.equals("shard");
            int[] unaffected = new int[2];
            int[] affected = new int[2];
            long lastFailure = -1;
            for (Answer a : answers) {
                if (!a.ok()) {
                    lastFailure = Math.max(lastFailure, a.due());
                }
                if (a.due() < phase.injected || a.due() > phase.repaired) {
                    continue;
                }
                int[] bucket = takesKeys && a.kind().needsDownShard(a.key(), maps) ? affected : unaffected;
                bucket[0]++;
                if (a.ok()) {
                    bucket[1]++;
                }
            }
            double recovery = lastFailure <= phase.repaired ? 0 : seconds(lastFailure - phase.repaired);
            String saga = phase.orders.isEmpty() || p < 2 ? "-" : phase.sagaDone < 0 ? "> " + SAGA_MAX.toSeconds() + " s"
                    : String.format(Locale.ROOT, "%.1f s", seconds(phase.sagaDone - phase.repaired));
            long[] took = answers.stream().filter(Answer::ok).mapToLong(Answer::took).sorted().toArray();
            say("%-16s %6.0fs %7d %-38s %18s %16s %8.1fs %10s %16s", phase.name, seconds(phase.ended - phase.injected),
                    answers.size(), statuses, share(unaffected), takesKeys ? share(affected) : "-", recovery, saga,
                    String.format(Locale.ROOT, "%.0f/%.0f", percentile(took, 0.5), percentile(took, 0.99)));
            Map<String, Integer> failures = new TreeMap<>();
            answers.stream().filter(a -> !a.ok()).forEach(a -> failures.merge(a.kind().name().toLowerCase(Locale.ROOT)
                    + (takesKeys && !a.kind().needsDownShard(a.key(), maps) ? " (unaffected key)" : "") + " "
                    + a.outcome(), 1, Integer::sum));
            if (!failures.isEmpty()) {
                say("  not served, by kind and status: %s", failures);
            }
            List<Answer> undocumented = answers.stream().filter(a -> !a.documented(phase.name)).toList();
            if (!judged) {
                continue;
            }
            if (!undocumented.isEmpty()) {
                passed = false;
                say("  FAIL %d answers with a status README does not document for this, e.g.:", undocumented.size());
                undocumented.stream().limit(5).forEach(a -> say("    at %.1f s %s %s key %d: %d %s", seconds(a.due()),
                        a.kind(), a.kind().service, a.key(), a.status(), a.body().replace('\n', ' ')));
            }
            if (unaffected[0] == 0 || unaffected[1] < MIN_UNAFFECTED * unaffected[0]) {
                passed = false;
                say("  FAIL unaffected keys served: %s, goal >= %.0f %%", share(unaffected), 100 * MIN_UNAFFECTED);
            }
            if (phase.calm - phase.repaired >= RECOVERY_MAX.toNanos()) {
                passed = false;
                say("  FAIL requests still failed %d s after the repair", RECOVERY_MAX.toSeconds());
            }
        }
        long expected = (long) (RATE * seconds(PHASES.get(PHASES.size() - 1).ended - loadStarted));
        say("sent %d requests (%d not sent: %d already in flight), planned about %d", all.size(), UNSENT.get(),
                MAX_INFLIGHT, expected);
        if (all.size() < 0.9 * expected) {
            passed = false;
            say("FAIL the generator fell behind: %d of about %d requests", all.size(), expected);
        }
        return passed;
    }

    static boolean verify() throws Exception {
        boolean passed = true;
        // Orders: each acknowledged one is there and the saga decided it.
        long deadline = now() + SAGA_MAX.toNanos();
        Map<String, Integer> outcomes = new TreeMap<>();
        List<Long> pending = new ArrayList<>(ORDERS_PLACED.keySet());
        Map<Long, String> tokens = new ConcurrentHashMap<>();
        for (User user : users) {
            tokens.put(user.id(), user.token());
        }
        while (!pending.isEmpty() && now() < deadline) {
            List<Long> still = new ArrayList<>();
            for (long order : pending) {
                HttpResponse<String> response = call(get("/v1/orders/" + order, tokens.get(ORDERS_PLACED.get(order))));
                String status = response.statusCode() == 200 ? field(response.body(), "status") : "HTTP " + response.statusCode();
                if ("PENDING".equals(status)) {
                    still.add(order);
                } else {
                    outcomes.merge(status, 1, Integer::sum);
                }
            }
            pending = still;
            if (!pending.isEmpty()) {
                sleep(Duration.ofSeconds(1));
            }
        }
        if (!pending.isEmpty()) {
            outcomes.put("PENDING", pending.size());
        }
        boolean ordersOk = outcomes.keySet().stream().allMatch(s -> s.equals("CONFIRMED") || s.equals("REJECTED"));
        passed &= check(ordersOk, "%d orders acknowledged (202): %s; each is there and decided by the saga",
                ORDERS_PLACED.size(), outcomes);

        int missing = 0;
        for (Map.Entry<Long, String> registered : REGISTERED.entrySet()) {
            HttpResponse<String> response = call(get("/v1/users/" + registered.getKey(), operator));
            if (response.statusCode() != 200 || !registered.getValue().equals(field(response.body(), "email"))) {
                missing++;
                if (missing <= 3) {
                    say("  user %d: %d %s", registered.getKey(), response.statusCode(), response.body());
                }
            }
        }
        passed &= check(missing == 0 && !REGISTERED.isEmpty(), "%d users registered (201): %d missing",
                REGISTERED.size(), missing);

        int wrong = 0;
        int updates = 0;
        for (Map.Entry<Long, PriceLog> entry : PRICES.entrySet()) {
            PriceLog log = entry.getValue();
            if (log.acknowledged < 0 && log.unknownAfter.isEmpty()) {
                continue;
            }
            updates++;
            HttpResponse<String> response = call(get("/v1/products/" + entry.getKey(), operator));
            long stored = response.statusCode() == 200 ? Long.parseLong(field(response.body(), "priceCents")) : -1;
            if (!log.allows(stored) && !(log.acknowledged < 0 && stored == 100)) {
                wrong++;
                say("  product %d: price %d, last acknowledged %d, unknown after it %s", entry.getKey(), stored,
                        log.acknowledged, log.unknownAfter);
            }
        }
        passed &= check(wrong == 0 && updates > 0, "%d products updated (PATCH 200): %d hold a price not written last",
                updates, wrong);
        return passed;
    }

    static boolean check(boolean ok, String format, Object... args) {
        say((ok ? "ok   " : "FAIL ") + format, args);
        return ok;
    }

    // ------------------------------------------------------------------ set-up

    static void setUp(String run) throws Exception {
        category = "chaos-" + run;
        users = new ArrayList<>();
        for (int i = 0; i < 16; i++) {
            String email = "chaos-" + run + "-u" + i + "@example.com";
            HttpResponse<String> response = require(call(json("/v1/users", "POST", null, "application/json",
                    "{\"email\":\"" + email + "\",\"name\":\"Chaos\"}").build()), 201);
            long id = id(response.body());
            users.add(new User(id, email, token(Long.toString(id), null)));
        }
        products = new ArrayList<>();
        for (int i = 0; i < 24; i++) {
            HttpResponse<String> response = require(call(json("/v1/products", "POST", admin, "application/json",
                    "{\"sku\":\"CHAOS-" + run + "-" + i + "\",\"name\":\"Chaos\",\"category\":\"" + category
                            + "\",\"priceCents\":100,\"currency\":\"EUR\",\"stock\":1000000}").build()), 201);
            products.add(id(response.body()));
        }
        patched = products.subList(0, 8);
        patched.forEach(p -> PRICES.put(p, new PriceLog()));
        orders = new ArrayList<>();
        for (int i = 0; i < users.size(); i++) {
            User user = users.get(i);
            HttpResponse<String> response = require(call(json("/v1/orders", "POST", user.token(), "application/json",
                    "{\"userId\":\"" + user.id() + "\",\"items\":[{\"productId\":\"" + products.get(i) + "\",\"quantity\":1}]}")
                    .header("Idempotency-Key", "chaos-setup-" + run + "-" + i).build()), 202);
            orders.add(id(response.body()));
            ORDERS_PLACED.put(orders.get(i), user.id());
        }
        int[] onDown = new int[3];
        users.forEach(u -> onDown[0] += maps.get("users")[bucketOf(u.id())] == DOWN_SHARD ? 1 : 0);
        products.forEach(p -> onDown[1] += maps.get("catalog")[bucketOf(p)] == DOWN_SHARD ? 1 : 0);
        orders.forEach(o -> onDown[2] += maps.get("orders")[bucketOf(o)] == DOWN_SHARD ? 1 : 0);
        say("set up %d users, %d products (category %s), %d orders; on shard %d: %d users, %d products, %d orders",
                users.size(), products.size(), category, orders.size(), DOWN_SHARD, onDown[0], onDown[1], onDown[2]);
    }

    static int[] shardMap(String service) throws Exception {
        String port = env("MILLION_" + service.toUpperCase(Locale.ROOT) + "_MANAGEMENT_PORT",
                Map.of("users", "9081", "catalog", "9082", "orders", "9083").get(service));
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/admin/shards"))
                .header("Authorization", "Bearer " + operator).timeout(Duration.ofSeconds(10)).build();
        String body = require(call(request), 200).body();
        int[] map = new int[4096];
        Matcher ranges = Pattern.compile("(\\d+)-(\\d+):(\\d+)").matcher(field(body, "map"));
        while (ranges.find()) {
            for (int b = Integer.parseInt(ranges.group(1)); b <= Integer.parseInt(ranges.group(2)); b++) {
                map[b] = Integer.parseInt(ranges.group(3));
            }
        }
        return map;
    }

    /**
     * An order is placed on its user's shard: the bucket of the user id as a key, libs/sharding
     * Buckets.of(long) (MurmurHash3's 64-bit finaliser; this program runs without the library).
     */
    static int bucketOfUser(long key) {
        long h = key;
        h ^= h >>> 33;
        h *= 0xff51afd7ed558ccdL;
        h ^= h >>> 33;
        h *= 0xc4ceb9fe1a85ec53L;
        h ^= h >>> 33;
        return (int) (h & 4095);
    }

    /** Shard-aware ids carry their bucket (libs/sharding ShardIds): bits 10-21. */
    static int bucketOf(long id) {
        return (int) ((id >>> 10) & 4095);
    }

    // ------------------------------------------------------------------ helpers

    static void runFault(String fault, String action) throws IOException, InterruptedException {
        Process process = new ProcessBuilder("bash", SELF, "fault", fault, action).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(LOG.toFile())).start();
        if (!process.waitFor(300, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new IllegalStateException(fault + " " + action + " did not finish within 300 s (log: " + LOG + ")");
        }
        if (process.exitValue() != 0) {
            throw new IllegalStateException(fault + " " + action + " failed (log: " + LOG + ")");
        }
    }

    static String token(String subject, String roles) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(MILLION, "token", "--sub", subject, "--ttl", "1h"));
        if (roles != null) {
            command.addAll(List.of("--roles", roles));
        }
        Process process = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        String token = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        if (!process.waitFor(30, TimeUnit.SECONDS) || process.exitValue() != 0 || token.isEmpty()) {
            throw new IllegalStateException("stack/million token failed");
        }
        return token;
    }

    static HttpResponse<String> call(HttpRequest request) throws IOException, InterruptedException {
        return CLIENT.send(request, HttpResponse.BodyHandlers.ofString());
    }

    static HttpResponse<String> require(HttpResponse<String> response, int status) {
        if (response.statusCode() != status) {
            throw new IllegalStateException(response.request().method() + " " + response.request().uri() + " answered "
                    + response.statusCode() + ", not " + status + ": " + response.body());
        }
        return response;
    }

    static long id(String body) {
        return Long.parseLong(field(body, "id"));
    }

    static String field(String json, String name) {
        Matcher m = Pattern.compile("\"" + name + "\"\\s*:\\s*(?:\"([^\"]*)\"|([^,}\\s]+))").matcher(json);
        if (!m.find()) {
            throw new IllegalStateException("no " + name + " in " + json);
        }
        return m.group(1) != null ? m.group(1) : m.group(2);
    }

    static double percentile(long[] sorted, double p) {
        return sorted.length == 0 ? Double.NaN : sorted[(int) Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)] / 1e6;
    }

    static String share(int[] counts) {
        return counts[0] == 0 ? "n/a" : String.format(Locale.ROOT, "%.2f %% of %d", 100.0 * counts[1] / counts[0], counts[0]);
    }

    static String weights() {
        StringBuilder text = new StringBuilder();
        for (Kind kind : Kind.values()) {
            text.append(text.length() == 0 ? "" : ", ").append(kind.name().toLowerCase(Locale.ROOT)).append(' ')
                    .append(kind.weight).append(" %");
        }
        return text.toString();
    }

    static long now() {
        return System.nanoTime() - T0;
    }

    static double seconds(long nanos) {
        return nanos / 1e9;
    }

    static void sleep(Duration duration) {
        try {
            Thread.sleep(duration.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    static void say(String format, Object... args) {
        System.out.println("[chaos] " + String.format(Locale.ROOT, format, args));
        System.out.flush();
    }

    static String env(String name, String fallback) {
        String value = System.getenv(name);
        return value == null || value.isEmpty() ? fallback : value;
    }
}
