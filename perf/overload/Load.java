import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Map;
import java.util.TreeMap;

/**
 * A constant-rate (open-loop) HTTP/1.1 load generator over a fixed set of keep-alive connections:
 * requests are due at fixed intervals whatever the server does, and each latency is measured from
 * when the request was due, so a server that stalls is charged for the queue it causes (no
 * coordinated omission, which closed-loop wrk has). Latencies are kept per status, so the admitted
 * requests' p99 is apart from the shed ones'.
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
 * <pre>java perf/overload/Load.java URL RATE SECONDS [HEADER:VALUE ...]</pre>
 *
 * Prints one line: {@code offered=.. sent=.. goodput=..(2xx/s) p50_2xx=..ms p99_2xx=..ms
 * p99_all=..ms statuses={..} unsent=..}. Loopback only; bounded by SECONDS plus a 10 s read
 * timeout per request.
 */
public class Load {

    static final int CONNECTIONS = Integer.getInteger("connections", 64);
    static final int MAX_QUEUE = Integer.getInteger("maxQueue", 20_000);
    static final long TIMEOUT_NS = 10_000_000_000L;

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
        new Load(new InetSocketAddress(uri.getHost(), uri.getPort()), request).run(rate, seconds);
    }

    final InetSocketAddress address;
    final byte[] request;
    final Selector selector;
    final Connection[] connections = new Connection[CONNECTIONS];
    final ArrayDeque<Connection> idle = new ArrayDeque<>();
    int inFlight;
    long[] dueQueue = new long[1024]; // a ring of due times waiting for a connection
    int queueHead;
    int queueSize;
    long[] took = new long[1 << 16];
    int[] statuses = new int[1 << 16];
    int count;

    Load(InetSocketAddress address, byte[] request) throws IOException {
        this.address = address;
        this.request = request;
        this.selector = Selector.open();
        for (int i = 0; i < CONNECTIONS; i++) {
            connections[i] = new Connection();
            idle.add(connections[i]);
        }
    }

    void run(int rate, int seconds) throws IOException {
        long total = (long) rate * seconds;
        long interval = 1_000_000_000L / rate;
        long start = System.nanoTime() + 50_000_000L;
        long generated = 0;
        int unsent = 0;
        long nextExpiry = start;
        while (generated < total || queueSize > 0 || inFlight > 0) {
            long now = System.nanoTime();
            for (; generated < total && start + generated * interval <= now; generated++) {
                if (queueSize >= MAX_QUEUE) {
                    unsent++;
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
        double elapsed = total * interval / 1e9; // the offered window; answers after it still count

        Map<Integer, Integer> counts = new TreeMap<>();
        long[] ok = new long[count];
        long[] all = Arrays.copyOf(took, count);
        int oks = 0;
        for (int j = 0; j < count; j++) {
            counts.merge(statuses[j], 1, Integer::sum);
            if (statuses[j] >= 200 && statuses[j] < 300) {
                ok[oks++] = took[j];
            }
        }
        ok = Arrays.copyOf(ok, oks);
        Arrays.sort(ok);
        Arrays.sort(all);
        System.out.printf("offered=%d sent=%d goodput=%.0f p50_2xx=%.1fms p99_2xx=%.1fms p99_all=%.1fms "
                + "statuses=%s unsent=%d%n", rate, total - unsent, oks / elapsed, percentile(ok, 0.50),
                percentile(ok, 0.99), percentile(all, 0.99), counts, unsent);
        System.exit(0);
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
        inFlight++;
        try {
            connection.send();
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

    void record(long nanos, int status) {
        if (count == took.length) {
            took = Arrays.copyOf(took, count * 2);
            statuses = Arrays.copyOf(statuses, count * 2);
        }
        took[count] = nanos;
        statuses[count++] = status;
    }

    /** One keep-alive connection with at most one request in flight; reads the whole answer. */
    final class Connection {
        SocketChannel channel;
        SelectionKey key;
        final ByteBuffer out = ByteBuffer.allocateDirect(request.length);
        ByteBuffer in = ByteBuffer.allocate(64 * 1024);
        long due = Long.MIN_VALUE; // Long.MIN_VALUE: no request in flight
        long sentAt;

        void send() throws IOException {
            if (channel == null) {
                channel = SocketChannel.open();
                channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
                channel.connect(address); // blocking, on loopback: at once or refused
                channel.configureBlocking(false);
                key = channel.register(selector, SelectionKey.OP_READ, this);
            }
            sentAt = System.nanoTime();
            out.clear();
            out.put(request).flip();
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
            record(System.nanoTime() - due, status);
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
                record(System.nanoTime() - due, 0);
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
