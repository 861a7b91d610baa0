package io.million.testing;

import java.io.File;
import java.io.IOException;
import java.net.HttpURLConnection;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * One replica of a service run from its packaged jar ({@code target/quarkus-app}) as a separate
 * process, for black-box tests with several replicas. Bounded: start-up waits at most
 * {@value #START_SECONDS} s; {@link #close} stops it (SIGTERM, then kill).
 */
public final class Replica implements AutoCloseable {

    private static final int START_SECONDS = 60;

    private final Process process;
    private final int port;
    private final Path log;

    private Replica(Process process, int port, Path log) {
        this.process = process;
        this.port = port;
        this.log = log;
    }

    /** Starts the jar of the module in the working directory with {@code properties} (-D...). */
    public static Replica start(int port, Map<String, String> properties) {
        return start(Path.of("."), port, properties);
    }

    /**
     * Starts the packaged jar of the module in {@code module} (e.g. {@code ../catalog}, built
     * earlier in the same reactor) with {@code properties} (-D...).
     */
    public static Replica start(Path module, int port, Map<String, String> properties) {
        Path jar = module.resolve(Path.of("target", "quarkus-app", "quarkus-run.jar")).toAbsolutePath().normalize();
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException(jar + " is missing: run after `package`");
        }
        List<String> command = new ArrayList<>(List.of("java", "-Xmx256m", "-Dquarkus.http.port=" + port,
                "-Dquarkus.http.host=127.0.0.1", "-Dquarkus.management.port=" + managementPort(port),
                "-Dquarkus.log.console.json.enabled=false"));
        properties.forEach((key, value) -> command.add("-D" + key + "=" + value));
        command.addAll(List.of("-jar", jar.toString()));
        try {
            Path log = Files.createTempFile("replica-" + port + "-", ".log");
            Process process = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(log.toFile()).redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                    .start();
            Replica replica = new Replica(process, port, log);
            replica.awaitReady();
            return replica;
        } catch (IOException e) {
            throw new IllegalStateException("cannot start " + jar, e);
        }
    }

    public String baseUrl() {
        return "http://127.0.0.1:" + port;
    }

    /** The management interface (/q/health, /q/metrics, /admin): the HTTP port + 1000. */
    public String managementUrl() {
        return "http://127.0.0.1:" + managementPort(port);
    }

    private static int managementPort(int httpPort) {
        return httpPort + 1000;
    }

    private void awaitReady() {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(START_SECONDS);
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("replica on " + port + " exited: " + tail());
            }
            try {
                HttpURLConnection connection = (HttpURLConnection) URI.create(managementUrl() + "/q/health/ready").toURL()
                        .openConnection();
                connection.setConnectTimeout(500);
                if (connection.getResponseCode() == 200) {
                    return;
                }
            } catch (IOException e) {
                // not listening yet
            }
            try {
                Thread.sleep(250);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        close();
        throw new IllegalStateException("replica on " + port + " not ready in " + START_SECONDS + " s: " + tail());
    }

    private String tail() {
        try {
            List<String> lines = Files.readAllLines(log);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 20), lines.size()));
        } catch (IOException e) {
            return "(no log)";
        }
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(20, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
