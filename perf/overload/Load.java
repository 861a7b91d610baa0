import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * A constant-rate (open-loop) HTTP load generator: requests are due at fixed intervals whatever
 * the server does, and each latency is measured from when the request was due, so a server that
 * stalls is charged for the queue it causes (no coordinated omission, which closed-loop wrk has).
 * Latencies are kept per status, so the admitted requests' p99 is apart from the shed ones'.
 * Written here because the tools on these machines do not report it: wrk is closed-loop and
 * reports no per-status latency, h2load's rate mode reports no percentiles.
 *
 * <pre>java perf/overload/Load.java URL RATE SECONDS [HEADER:VALUE ...]</pre>
 *
 * Prints one line: {@code offered=.. sent=.. goodput=..(2xx/s) p50_2xx=..ms p99_2xx=..ms
 * p99_all=..ms statuses={..} unsent=..}. At most MAX_INFLIGHT requests are outstanding; a request
 * due while that many are is not sent and counts as a failure (the server is not keeping up).
 * Loopback only; bounded by SECONDS plus a 10 s request timeout.
 */
public class Load {

    static final int MAX_INFLIGHT = Integer.getInteger("maxInflight", 4000);

    public static void main(String[] args) throws Exception {
        URI uri = URI.create(args[0]);
        if (!"127.0.0.1".equals(uri.getHost()) && !"localhost".equals(uri.getHost())) {
            throw new IllegalArgumentException("loopback only: " + uri);
        }
        int rate = Integer.parseInt(args[1]);
        int seconds = Integer.parseInt(args[2]);
        HttpRequest.Builder builder = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10)).GET();
        for (int i = 3; i < args.length; i++) {
            int colon = args[i].indexOf(':');
            builder.header(args[i].substring(0, colon).strip(), args[i].substring(colon + 1).strip());
        }
        HttpRequest request = builder.build();
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .executor(Executors.newFixedThreadPool(2)).connectTimeout(Duration.ofSeconds(5)).build();

        Map<Integer, ConcurrentLinkedQueue<Long>> latencies = new ConcurrentHashMap<>();
        AtomicInteger inflight = new AtomicInteger();
        AtomicInteger unsent = new AtomicInteger();
        long total = (long) rate * seconds;
        CountDownLatch done = new CountDownLatch((int) total);
        long interval = 1_000_000_000L / rate;
        long start = System.nanoTime() + 50_000_000L;
        for (long i = 0; i < total; i++) {
            long due = start + i * interval;
            long wait = due - System.nanoTime();
            if (wait > 0) {
                LockSupport.parkNanos(wait);
            }
            if (inflight.get() >= MAX_INFLIGHT) {
                unsent.incrementAndGet();
                done.countDown();
                continue;
            }
            inflight.incrementAndGet();
            client.sendAsync(request, HttpResponse.BodyHandlers.discarding()).whenComplete((response, failure) -> {
                long took = System.nanoTime() - due;
                int status = failure != null ? 0 : response.statusCode();
                latencies.computeIfAbsent(status, s -> new ConcurrentLinkedQueue<>()).add(took);
                inflight.decrementAndGet();
                done.countDown();
            });
        }
        double elapsed = (System.nanoTime() - start) / 1e9;
        done.await(15, TimeUnit.SECONDS);

        Map<Integer, Integer> statuses = new TreeMap<>();
        latencies.forEach((status, values) -> statuses.put(status, values.size()));
        long[] ok = latencies.entrySet().stream().filter(e -> e.getKey() >= 200 && e.getKey() < 300)
                .flatMap(e -> e.getValue().stream()).mapToLong(Long::longValue).sorted().toArray();
        long[] all = latencies.values().stream().flatMap(ConcurrentLinkedQueue::stream).mapToLong(Long::longValue)
                .sorted().toArray();
        System.out.printf("offered=%d sent=%d goodput=%.0f p50_2xx=%.1fms p99_2xx=%.1fms p99_all=%.1fms "
                + "statuses=%s unsent=%d%n", rate, total - unsent.get(), ok.length / elapsed, percentile(ok, 0.50),
                percentile(ok, 0.99), percentile(all, 0.99), statuses, unsent.get());
        System.exit(0);
    }

    static double percentile(long[] sorted, double p) {
        if (sorted.length == 0) {
            return Double.NaN;
        }
        int index = (int) Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1);
        return sorted[Math.max(0, index)] / 1e6;
    }
}
