import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.locks.LockSupport;

/**
 * A constant-rate (open-loop) HTTP/1.1 load generator over a fixed set of keep-alive connections:
 * requests are due at fixed intervals whatever the server does, and each latency is measured from
 * when the request was due, so a server that stalls is charged for the queue it causes (no
 * coordinated omission, which closed-loop wrk has). Latencies are kept per status, so the admitted
 * requests' p99 is apart from the shed ones'.
 *
 * <p>Due requests wait in one queue for the next free connection ({@code -Dconnections=64}); a
 * request due while {@code -DmaxQueue=20000} wait is not sent and counts as "unsent" (the server
 * is far behind). Written by hand because the tools here do not do this: wrk is closed-loop and
 * reports no per-status latency, h2load's rate mode reports no percentiles, and the JDK's
 * HttpClient opens a connection per request in flight (thousands at twice the capacity, which
 * made the generator the bottleneck).
 *
 * <pre>java perf/overload/Load.java URL RATE SECONDS [HEADER:VALUE ...]</pre>
 *
 * Prints one line: {@code offered=.. sent=.. goodput=..(2xx/s) p50_2xx=..ms p99_2xx=..ms
 * p99_all=..ms statuses={..} unsent=..}. Loopback only; bounded by SECONDS plus a 10 s read
 * timeout per request.
 */
public class Load {

    static final int CONNECTIONS = Integer.getInteger("connections", 64);
    static final int MAX_QUEUE = Integer.getInteger("maxQueue", 20_000);
    static final int TIMEOUT_MS = 10_000;
    static final long END = Long.MIN_VALUE;

    public static void main(String[] args) throws Exception {
        URI uri = URI.create(args[0]);
        if (!"127.0.0.1".equals(uri.getHost()) && !"localhost".equals(uri.getHost())) {
            throw new IllegalArgumentException("loopback only: " + uri);
        }
        int rate = Integer.parseInt(args[1]);
        int seconds = Integer.parseInt(args[2]);
        StringBuilder head = new StringBuilder("GET ").append(uri.getRawPath())
                .append(uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery())
                .append(" HTTP/1.1\r\nHost: ").append(uri.getHost()).append(':').append(uri.getPort()).append("\r\n");
        for (int i = 3; i < args.length; i++) {
            int colon = args[i].indexOf(':');
            head.append(args[i], 0, colon).append(": ").append(args[i].substring(colon + 1).strip()).append("\r\n");
        }
        byte[] request = head.append("\r\n").toString().getBytes(StandardCharsets.US_ASCII);

        BlockingQueue<Long> due = new ArrayBlockingQueue<>(MAX_QUEUE + CONNECTIONS);
        List<Worker> workers = new ArrayList<>();
        for (int i = 0; i < CONNECTIONS; i++) {
            Worker worker = new Worker(uri, request, due);
            workers.add(worker);
            worker.start();
        }
        long total = (long) rate * seconds;
        long interval = 1_000_000_000L / rate;
        long start = System.nanoTime() + 50_000_000L;
        int unsent = 0;
        for (long i = 0; i < total; i++) {
            long at = start + i * interval;
            long wait = at - System.nanoTime();
            if (wait > 0) {
                LockSupport.parkNanos(wait);
            }
            if (due.size() >= MAX_QUEUE || !due.offer(at)) {
                unsent++;
            }
        }
        double elapsed = (System.nanoTime() - start) / 1e9;
        for (int i = 0; i < CONNECTIONS; i++) {
            due.put(END);
        }
        for (Worker worker : workers) {
            worker.join(TIMEOUT_MS + 5_000L);
        }

        Map<Integer, Integer> statuses = new TreeMap<>();
        List<Long> ok = new ArrayList<>();
        List<Long> all = new ArrayList<>();
        for (Worker worker : workers) {
            for (int j = 0; j < worker.count; j++) {
                statuses.merge(worker.statuses[j], 1, Integer::sum);
                all.add(worker.took[j]);
                if (worker.statuses[j] >= 200 && worker.statuses[j] < 300) {
                    ok.add(worker.took[j]);
                }
            }
        }
        long[] okSorted = ok.stream().mapToLong(Long::longValue).sorted().toArray();
        long[] allSorted = all.stream().mapToLong(Long::longValue).sorted().toArray();
        System.out.printf("offered=%d sent=%d goodput=%.0f p50_2xx=%.1fms p99_2xx=%.1fms p99_all=%.1fms "
                + "statuses=%s unsent=%d%n", rate, total - unsent, okSorted.length / elapsed, percentile(okSorted, 0.50),
                percentile(okSorted, 0.99), percentile(allSorted, 0.99), statuses, unsent);
        System.exit(0);
    }

    /** One keep-alive connection: takes the next due request, sends it, reads the whole answer. */
    static final class Worker extends Thread {
        final URI uri;
        final byte[] request;
        final BlockingQueue<Long> due;
        long[] took = new long[1024];
        int[] statuses = new int[1024];
        int count;
        Socket socket;
        InputStream in;
        OutputStream out;

        Worker(URI uri, byte[] request, BlockingQueue<Long> due) {
            this.uri = uri;
            this.request = request;
            this.due = due;
            setDaemon(true);
        }

        @Override
        public void run() {
            try {
                while (true) {
                    long at = due.take();
                    if (at == END) {
                        return;
                    }
                    int status;
                    try {
                        status = exchange();
                    } catch (IOException e) {
                        status = 0; // refused, reset or timed out: the connection starts again
                        close();
                    }
                    record(System.nanoTime() - at, status);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                close();
            }
        }

        private int exchange() throws IOException {
            if (socket == null) {
                socket = new Socket();
                socket.setTcpNoDelay(true);
                socket.setSoTimeout(TIMEOUT_MS);
                socket.connect(new InetSocketAddress(uri.getHost(), uri.getPort()), 5_000);
                in = new BufferedInputStream(socket.getInputStream(), 64 * 1024);
                out = socket.getOutputStream();
            }
            out.write(request);
            out.flush();
            String statusLine = line();
            int status = Integer.parseInt(statusLine.substring(9, 12));
            long length = -1;
            boolean chunked = false;
            boolean closes = false;
            for (String header = line(); !header.isEmpty(); header = line()) {
                String lower = header.toLowerCase();
                if (lower.startsWith("content-length:")) {
                    length = Long.parseLong(header.substring(15).strip());
                } else if (lower.startsWith("transfer-encoding:") && lower.contains("chunked")) {
                    chunked = true;
                } else if (lower.startsWith("connection:") && lower.contains("close")) {
                    closes = true;
                }
            }
            if (chunked) {
                for (long size = Long.parseLong(line().split(";")[0].strip(), 16); size > 0;
                        size = Long.parseLong(line().split(";")[0].strip(), 16)) {
                    skip(size);
                    line();
                }
                for (String trailer = line(); !trailer.isEmpty(); trailer = line()) {
                    // trailers are read and dropped
                }
            } else if (length > 0) {
                skip(length);
            }
            if (closes) {
                close();
            }
            return status;
        }

        private String line() throws IOException {
            StringBuilder text = new StringBuilder(64);
            for (int c = in.read(); c != '\n'; c = in.read()) {
                if (c < 0) {
                    throw new IOException("connection closed");
                }
                if (c != '\r') {
                    text.append((char) c);
                }
            }
            return text.toString();
        }

        private void skip(long bytes) throws IOException {
            while (bytes > 0) {
                long skipped = in.skip(bytes);
                if (skipped <= 0) {
                    if (in.read() < 0) {
                        throw new IOException("connection closed");
                    }
                    skipped = 1;
                }
                bytes -= skipped;
            }
        }

        private void close() {
            try {
                if (socket != null) {
                    socket.close();
                }
            } catch (IOException ignored) {
                // closing anyway
            }
            socket = null;
        }

        private void record(long nanos, int status) {
            if (count == took.length) {
                took = java.util.Arrays.copyOf(took, count * 2);
                statuses = java.util.Arrays.copyOf(statuses, count * 2);
            }
            took[count] = nanos;
            statuses[count++] = status;
        }
    }

    static double percentile(long[] sorted, double p) {
        if (sorted.length == 0) {
            return Double.NaN;
        }
        int index = (int) Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1);
        return sorted[Math.max(0, index)] / 1e6;
    }
}
