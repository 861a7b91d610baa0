import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;

/**
 * A constant-rate (open-loop) HTTP/1.1 load generator over a fixed set of keep-alive connections:
 * requests are due at fixed intervals whatever the server does, and each latency is measured from
 * when the request was due, so a server that stalls is charged for the queue it causes (no
 * coordinated omission, which closed-loop wrk has). Latencies are kept per status, so the admitted
 * requests' p99 is apart from the shed ones', and per endpoint of a mix.
 *
 * <p>One thread drives every connection through one selector (as wrk2 does): a due request goes
 * out on the next idle connection ({@code -Dconnections=64}), or waits in a queue for one; a
 * request due while {@code -DmaxQueue=20000} wait is not sent and counts as "unsent" (the server is
 * far behind). Requests are sent when due to within a millisecond (the selector's granularity),
 * and that millisecond is charged to the server. Written by hand because the tools here do not do
 * this: wrk is closed-loop and reports no per-status latency, h2load's rate mode reports no
 * percentiles, the JDK's HttpClient opens a connection per request in flight, and a thread per
 * connection (this generator's first form) spent a third of a core on wake-ups at 5,000 req/s,
 * taken from the server on a 2-core box.
 *
 * <pre>
 * java perf/load/Load.java URL RATE SECONDS [HEADER:VALUE ...]      one GET
 * java perf/load/Load.java --mix PLAN URL RATE SECONDS              a mix of endpoints
 * </pre>
 *
 * One GET prints one line: {@code offered=.. sent=.. goodput=..(2xx/s) p50_2xx=..ms p99_2xx=..ms
 * p99_all=..ms statuses={..} unsent=..}.
 * <p>
 * A mix: PLAN has a line {@code name weight pick file} per endpoint; each request due is one
 * endpoint, drawn by weight (a seeded random sequence, the same every run), and then one request
 * of that endpoint's file: {@code zipf} draws the k-th with probability proportional to 1/k
 * (Zipf(1.0) over the file's order), {@code cycle} takes them in turn. A file holds requests in
 * HTTP/1.1 form without {@code Host} and {@code Content-Length} (both added), lines ending in LF
 * (sent as CRLF), the body on the one line after the blank line, requests separated by a line
 * {@code %%}; {@code {seq}} is replaced by a number unique within the run (an Idempotency-Key, a
 * unique sku). It prints one line per endpoint and one for all of them, each
 * {@code endpoint=.. sent=.. rate=..(sent/s) goodput=.. p50_2xx=.. p99_2xx=.. p999_2xx=.. p99_all=..
 * statuses={..}}, and a last line {@code unsent=..}.
 * <p>
 * Loopback only; bounded by SECONDS (plus {@code -Dwarmup}) plus a 10 s read timeout per request.
 */
public class Load {

    static final int CONNECTIONS = Integer.getInteger("connections", 64);
    static final int MAX_QUEUE = Integer.getInteger("maxQueue", 20_000);
    static final long TIMEOUT_NS = 10_000_000_000L;
    /** The first {seq} number is the next one after this ({@code -Dseq.start}): runs of one session pass disjoint ranges. */
    static final long SEQ_START = Long.getLong("seq.start", 0);
    /** Requests due in the first {@code -Dwarmup=S} seconds are sent but not counted (the generator's own JIT warms up). */
    static final int WARMUP_SECONDS = Integer.getInteger("warmup", 0);
    /**
     * {@code -Dsnapshot=CMD}: {@code bash -c CMD start} ({@code $0} is "start") is started when the measured
     * window opens (after the warm-up) and {@code bash -c CMD end} when it closes (the last request due), without
     * waiting: a caller's counters then cover exactly the requests measured. Both are waited for
     * (30 s at most) before the results are printed.
     */
    static final String SNAPSHOT = System.getProperty("snapshot");
    static final String SEQ = "{seq}";
    static final int SEQ_DIGITS = 12;

    public static void main(String[] args) throws Exception {
        boolean mix = args.length > 0 && args[0].equals("--mix");
        URI uri = URI.create(args[mix ? 2 : 0]);
        if (!"127.0.0.1".equals(uri.getHost()) && !"localhost".equals(uri.getHost())) {
            throw new IllegalArgumentException("loopback only: " + uri);
        }
        int rate = Integer.parseInt(args[mix ? 3 : 1]);
        int seconds = Integer.parseInt(args[mix ? 4 : 2]);
        String host = uri.getHost() + ':' + uri.getPort();
        Endpoint[] endpoints;
        if (mix) {
            endpoints = plan(Path.of(args[1]), host);
        } else {
            StringBuilder head = new StringBuilder("GET ").append(uri.getRawPath())
                    .append(uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery()).append(" HTTP/1.1\n");
            for (int i = 3; i < args.length; i++) {
                int colon = args[i].indexOf(':');
                head.append(args[i], 0, colon).append(": ").append(args[i].substring(colon + 1).strip()).append('\n');
            }
            endpoints = new Endpoint[] {new Endpoint("all", 1, false, new Request[] {Request.of(head + "\n", host)})};
        }
        new Load(new InetSocketAddress(uri.getHost(), uri.getPort()), endpoints).run(rate, seconds, mix);
    }

    /** Reads a plan: {@code name weight zipf|cycle file} per line; # starts a comment. */
    static Endpoint[] plan(Path plan, String host) throws IOException {
        List<Endpoint> endpoints = new ArrayList<>();
        for (String line : Files.readAllLines(plan)) {
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            String[] f = line.trim().split("\\s+");
            if (f.length != 4 || !(f[2].equals("zipf") || f[2].equals("cycle"))) {
                throw new IllegalArgumentException("a plan line is 'name weight zipf|cycle file': " + line);
            }
            String text = Files.readString(plan.resolveSibling(f[3]));
            List<Request> requests = new ArrayList<>();
            for (String one : text.split("(?m)^%%\n")) {
                if (!one.isBlank()) {
                    requests.add(Request.of(one, host));
                }
            }
            if (requests.isEmpty()) {
                throw new IllegalArgumentException(f[3] + " holds no request");
            }
            endpoints.add(new Endpoint(f[0], Double.parseDouble(f[1]), f[2].equals("zipf"), requests.toArray(Request[]::new)));
        }
        return endpoints.toArray(Endpoint[]::new);
    }

    /** One request's bytes, and where its {seq} digits go (-1: none). */
    record Request(byte[] bytes, int seqAt) {
        static Request of(String text, String host) {
            int blank = text.indexOf("\n\n");
            if (blank < 0) {
                throw new IllegalArgumentException("a request needs a blank line after its headers: " + text);
            }
            String head = text.substring(0, blank);
            String body = text.substring(blank + 2).strip();
            int firstLine = head.indexOf('\n');
            StringBuilder out = new StringBuilder(firstLine < 0 ? head : head.substring(0, firstLine)).append("\r\nHost: ")
                    .append(host).append("\r\n");
            if (firstLine >= 0) {
                out.append(head.substring(firstLine + 1).replace("\n", "\r\n")).append("\r\n");
            }
            int bodyLength = body.replace(SEQ, "0".repeat(SEQ_DIGITS)).getBytes(StandardCharsets.UTF_8).length;
            if (!body.isEmpty()) {
                out.append("Content-Length: ").append(bodyLength).append("\r\n");
            }
            String whole = out.append("\r\n").append(body).toString();
            int seq = whole.indexOf(SEQ);
            if (seq >= 0 && whole.indexOf(SEQ, seq + 1) >= 0) {
                throw new IllegalArgumentException("at most one {seq} per request");
            }
            byte[] bytes = whole.replace(SEQ, "0".repeat(SEQ_DIGITS)).getBytes(StandardCharsets.UTF_8);
            return new Request(bytes, seq < 0 ? -1 : whole.substring(0, seq).getBytes(StandardCharsets.UTF_8).length);
        }
    }

    /** An endpoint of the mix: its share, how its requests are drawn, and its requests. */
    static final class Endpoint {
        final String name;
        final double weight;
        final boolean zipf;
        final Request[] requests;
        final double[] cdf;
        int next;

        Endpoint(String name, double weight, boolean zipf, Request[] requests) {
            this.name = name;
            this.weight = weight;
            this.zipf = zipf;
            this.requests = requests;
            this.cdf = new double[requests.length];
            double sum = 0;
            for (int k = 0; k < requests.length; k++) {
                sum += zipf ? 1.0 / (k + 1) : 1;
                cdf[k] = sum;
            }
            for (int k = 0; k < requests.length; k++) {
                cdf[k] /= sum;
            }
        }

        Request draw(SplittableRandom random) {
            if (!zipf) {
                return requests[next++ % requests.length];
            }
            int at = Arrays.binarySearch(cdf, random.nextDouble());
            return requests[Math.min(requests.length - 1, at < 0 ? -at - 1 : at)];
        }
    }

    final InetSocketAddress address;
    final Endpoint[] endpoints;
    final double[] endpointCdf;
    final SplittableRandom random = new SplittableRandom(42);
    final Selector selector;
    final Connection[] connections = new Connection[CONNECTIONS];
    final ArrayDeque<Connection> idle = new ArrayDeque<>();
    int inFlight;
    long[] dueQueue = new long[1024]; // a ring of due times waiting for a connection
    int queueHead;
    int queueSize;
    long[] took = new long[1 << 16];
    int[] statuses = new int[1 << 16];
    byte[] endpointOf = new byte[1 << 16];
    int count;
    long seq = SEQ_START;
    long countFrom = Long.MIN_VALUE; // requests due before this are not recorded (the warm-up)

    Load(InetSocketAddress address, Endpoint[] endpoints) throws IOException {
        if (endpoints.length == 0 || endpoints.length > Byte.MAX_VALUE) {
            throw new IllegalArgumentException("1 to 127 endpoints");
        }
        this.address = address;
        this.endpoints = endpoints;
        this.endpointCdf = new double[endpoints.length];
        double sum = 0;
        for (int i = 0; i < endpoints.length; i++) {
            endpointCdf[i] = sum += endpoints[i].weight;
        }
        for (int i = 0; i < endpoints.length; i++) {
            endpointCdf[i] /= sum;
        }
        int longest = Arrays.stream(endpoints).flatMap(e -> Arrays.stream(e.requests)).mapToInt(r -> r.bytes.length).max().orElse(0);
        this.selector = Selector.open();
        for (int i = 0; i < CONNECTIONS; i++) {
            connections[i] = new Connection(longest);
            idle.add(connections[i]);
        }
    }

    void run(int rate, int seconds, boolean mix) throws IOException, InterruptedException {
        long total = (long) rate * (seconds + WARMUP_SECONDS);
        long interval = 1_000_000_000L / rate;
        long start = System.nanoTime() + 50_000_000L;
        countFrom = start + WARMUP_SECONDS * 1_000_000_000L;
        long windowEnd = start + total * interval;
        Process opened = null;
        Process closed = null;
        long generated = 0;
        int unsent = 0;
        long nextExpiry = start;
        while (generated < total || queueSize > 0 || inFlight > 0) {
            long now = System.nanoTime();
            if (SNAPSHOT != null && opened == null && now >= countFrom) {
                opened = snapshot("start");
            }
            if (SNAPSHOT != null && closed == null && now >= windowEnd) {
                closed = snapshot("end");
            }
            for (; generated < total && start + generated * interval <= now; generated++) {
                if (queueSize >= MAX_QUEUE) {
                    unsent += start + generated * interval >= countFrom ? 1 : 0;
                } else {
                    enqueue(start + generated * interval);
                }
            }
            while (queueSize > 0 && !idle.isEmpty()) {
                send(idle.poll(), dequeue());
            }
            if (now >= nextExpiry) {
                expire(now);
                nextExpiry = now + 100_000_000L;
            }
            long next = generated < total ? start + generated * interval : now + 1_000_000L;
            // At least a millisecond (the selector's granularity): requests due meanwhile go out
            // together when it wakes, up to a millisecond late, and that is charged to the server;
            // spinning on selectNow() instead cost the generator most of a core.
            selector.select(Math.max(1, (next - System.nanoTime()) / 1_000_000L));
            for (SelectionKey key : selector.selectedKeys()) {
                ((Connection) key.attachment()).ready(key);
            }
            selector.selectedKeys().clear();
        }
        for (Process p : new Process[] {opened, closed == null && SNAPSHOT != null ? snapshot("end") : closed}) {
            if (p != null && !p.waitFor(30, java.util.concurrent.TimeUnit.SECONDS)) {
                p.destroy();
                throw new IllegalStateException("the snapshot command did not end within 30 s: " + SNAPSHOT);
            }
        }
        double elapsed = (double) rate * seconds * interval / 1e9; // the offered window; answers after it still count
        total = (long) rate * seconds;
        if (!mix) {
            Summary all = summary(-1);
            System.out.printf("offered=%d sent=%d goodput=%.0f p50_2xx=%.1fms p99_2xx=%.1fms p99_all=%.1fms "
                    + "statuses=%s unsent=%d%n", rate, total - unsent, all.oks.length / elapsed,
                    percentile(all.oks, 0.50), percentile(all.oks, 0.99), percentile(all.all, 0.99), all.counts, unsent);
        } else {
            for (int e = -1; e < endpoints.length; e++) {
                Summary s = summary(e);
                System.out.printf("endpoint=%s sent=%d rate=%.1f goodput=%.1f p50_2xx=%.2fms p99_2xx=%.2fms "
                        + "p999_2xx=%.2fms p99_all=%.2fms statuses=%s%n", e < 0 ? "all" : endpoints[e].name,
                        s.all.length, s.all.length / elapsed, s.oks.length / elapsed, percentile(s.oks, 0.50),
                        percentile(s.oks, 0.99), percentile(s.oks, 0.999), percentile(s.all, 0.99),
                        s.counts.toString().replace(" ", ""));
            }
            System.out.printf("unsent=%d%n", unsent);
        }
        System.exit(0);
    }

    static Process snapshot(String when) throws IOException {
        return new ProcessBuilder("bash", "-c", SNAPSHOT, when).inheritIO().start();
    }

    /** The answers of one endpoint (-1: all of them): every latency and the 2xx ones, sorted, and counts by status. */
    record Summary(long[] all, long[] oks, Map<Integer, Integer> counts) {
    }

    Summary summary(int endpoint) {
        Map<Integer, Integer> counts = new TreeMap<>();
        long[] ok = new long[count];
        long[] all = new long[count];
        int oks = 0;
        int alls = 0;
        for (int j = 0; j < count; j++) {
            if (endpoint >= 0 && endpointOf[j] != endpoint) {
                continue;
            }
            all[alls++] = took[j];
            counts.merge(statuses[j], 1, Integer::sum);
            if (statuses[j] >= 200 && statuses[j] < 300) {
                ok[oks++] = took[j];
            }
        }
        ok = Arrays.copyOf(ok, oks);
        all = Arrays.copyOf(all, alls);
        Arrays.sort(ok);
        Arrays.sort(all);
        return new Summary(all, ok, counts);
    }

    void enqueue(long due) {
        if (queueSize == dueQueue.length) {
            long[] grown = new long[dueQueue.length * 2];
            for (int i = 0; i < queueSize; i++) {
                grown[i] = dueQueue[(queueHead + i) % dueQueue.length];
            }
            dueQueue = grown;
            queueHead = 0;
        }
        dueQueue[(queueHead + queueSize++) % dueQueue.length] = due;
    }

    long dequeue() {
        long due = dueQueue[queueHead];
        queueHead = (queueHead + 1) % dueQueue.length;
        queueSize--;
        return due;
    }

    void send(Connection connection, long due) {
        connection.due = due;
        int endpoint = 0;
        if (endpoints.length > 1) {
            int at = Arrays.binarySearch(endpointCdf, random.nextDouble());
            endpoint = Math.min(endpoints.length - 1, at < 0 ? -at - 1 : at);
        }
        connection.endpoint = endpoint;
        inFlight++;
        try {
            connection.send(endpoints[endpoint].draw(random));
        } catch (IOException e) {
            connection.fail();
        }
    }

    /** A request unanswered for 10 s counts as status 0 and its connection starts again. */
    void expire(long now) {
        for (Connection connection : connections) {
            if (connection.due != Long.MIN_VALUE && now - connection.sentAt > TIMEOUT_NS) {
                connection.fail();
            }
        }
    }

    void record(long due, int status, int endpoint) {
        if (due < countFrom) {
            return;
        }
        long nanos = System.nanoTime() - due;
        if (count == took.length) {
            took = Arrays.copyOf(took, count * 2);
            statuses = Arrays.copyOf(statuses, count * 2);
            endpointOf = Arrays.copyOf(endpointOf, count * 2);
        }
        took[count] = nanos;
        endpointOf[count] = (byte) endpoint;
        statuses[count++] = status;
    }

    /** One keep-alive connection with at most one request in flight; reads the whole answer. */
    final class Connection {
        SocketChannel channel;
        SelectionKey key;
        final ByteBuffer out;
        ByteBuffer in = ByteBuffer.allocate(64 * 1024);
        long due = Long.MIN_VALUE; // Long.MIN_VALUE: no request in flight
        long sentAt;
        int endpoint;

        Connection(int longest) {
            out = ByteBuffer.allocateDirect(longest);
        }

        void send(Request request) throws IOException {
            if (channel == null) {
                channel = SocketChannel.open();
                channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
                channel.connect(address); // blocking, on loopback: at once or refused
                channel.configureBlocking(false);
                key = channel.register(selector, SelectionKey.OP_READ, this);
            }
            sentAt = System.nanoTime();
            out.clear();
            out.put(request.bytes);
            if (request.seqAt >= 0) {
                long n = ++seq;
                for (int i = SEQ_DIGITS - 1; i >= 0; i--, n /= 10) {
                    out.put(request.seqAt + i, (byte) ('0' + n % 10));
                }
            }
            out.flip();
            channel.write(out);
            key.interestOps(out.hasRemaining() ? SelectionKey.OP_READ | SelectionKey.OP_WRITE : SelectionKey.OP_READ);
        }

        void ready(SelectionKey selected) {
            if (selected != key) {
                return; // a key of a channel closed since
            }
            try {
                if (key.isValid() && key.isWritable() && out.hasRemaining()) {
                    channel.write(out);
                    if (!out.hasRemaining()) {
                        key.interestOps(SelectionKey.OP_READ);
                    }
                }
                if (key.isValid() && key.isReadable()) {
                    if (!in.hasRemaining()) {
                        in = ByteBuffer.allocate(in.capacity() * 2).put(in.flip());
                    }
                    if (channel.read(in) < 0) {
                        throw new IOException("connection closed");
                    }
                    int status = parse();
                    if (status > 0) {
                        answered(status);
                    }
                }
            } catch (IOException | RuntimeException e) {
                fail();
            }
        }

        /** The status once in holds a whole answer (which is then dropped from it), else 0. */
        int parse() throws IOException {
            byte[] bytes = in.array();
            int end = in.position();
            int headEnd = indexOf(bytes, 0, end);
            if (headEnd < 0) {
                return 0;
            }
            String headers = new String(bytes, 0, headEnd, StandardCharsets.ISO_8859_1);
            int status = Integer.parseInt(headers.substring(9, 12));
            int body = headEnd + 4;
            long length = 0;
            boolean chunked = false;
            boolean closes = false;
            for (String header : headers.split("\r\n")) {
                String lower = header.toLowerCase();
                if (lower.startsWith("content-length:")) {
                    length = Long.parseLong(header.substring(15).strip());
                } else if (lower.startsWith("transfer-encoding:") && lower.contains("chunked")) {
                    chunked = true;
                } else if (lower.startsWith("connection:") && lower.contains("close")) {
                    closes = true;
                }
            }
            int consumed;
            if (chunked) {
                consumed = chunkedEnd(bytes, body, end);
                if (consumed < 0) {
                    return 0;
                }
            } else if (end - body < length) {
                return 0;
            } else {
                consumed = body + (int) length;
            }
            in.flip().position(consumed);
            in.compact();
            if (closes) {
                close();
            }
            return status;
        }

        void answered(int status) {
            record(due, status, endpoint);
            due = Long.MIN_VALUE;
            inFlight--;
            if (queueSize > 0) {
                Load.this.send(this, dequeue());
            } else {
                idle.add(this);
            }
        }

        /** Refused, reset, timed out or unreadable: the request counts as status 0, the connection starts again. */
        void fail() {
            close();
            in.clear();
            if (due != Long.MIN_VALUE) {
                record(due, 0, endpoint);
                due = Long.MIN_VALUE;
                inFlight--;
                idle.add(this);
            }
        }

        void close() {
            try {
                if (channel != null) {
                    channel.close();
                }
            } catch (IOException ignored) {
                // closing anyway
            }
            channel = null;
            key = null;
        }
    }

    /** Index of the first CRLF CRLF in bytes[from, to), or -1. */
    static int indexOf(byte[] bytes, int from, int to) {
        for (int i = from; i + 3 < to; i++) {
            if (bytes[i] == '\r' && bytes[i + 1] == '\n' && bytes[i + 2] == '\r' && bytes[i + 3] == '\n') {
                return i;
            }
        }
        return -1;
    }

    /** The end of a whole chunked body starting at from (after the last chunk and trailers), or -1. */
    static int chunkedEnd(byte[] bytes, int from, int to) {
        int at = from;
        while (true) {
            int lineEnd = -1;
            for (int i = at; i + 1 < to; i++) {
                if (bytes[i] == '\r' && bytes[i + 1] == '\n') {
                    lineEnd = i;
                    break;
                }
            }
            if (lineEnd < 0) {
                return -1;
            }
            String sizeText = new String(bytes, at, lineEnd - at, StandardCharsets.ISO_8859_1).split(";")[0].strip();
            int size = Integer.parseInt(sizeText, 16);
            if (size == 0) { // the last chunk: then trailers (dropped) up to an empty line
                int trailers = indexOf(bytes, lineEnd, to);
                return trailers < 0 ? -1 : trailers + 4;
            }
            at = lineEnd + 2 + size + 2;
            if (at > to) {
                return -1;
            }
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
