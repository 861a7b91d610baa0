package io.million.testing;

import java.io.File;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

/**
 * Real PostgreSQL, Redis and Kafka for {@code @QuarkusTest}s, never mocks or containers.
 * <p>
 * Reuses the servers when their ports already answer (the usual case: {@code stack/million test}
 * starts them once for the whole build); otherwise runs {@code stack/million infra} from the
 * repository root and waits for it. Ports come from the same environment variables the stack
 * scripts and the services' {@code application.properties} read. It leaves the servers running
 * for the next test class and module; {@code stack/million down} stops them.
 */
public class LocalStack implements QuarkusTestResourceLifecycleManager {

    /** Bound on starting the stack from a test: a fresh machine installs packages first. */
    private static final long START_TIMEOUT_MINUTES = 15;

    private final List<Endpoint> endpoints = new ArrayList<>();

    record Endpoint(String name, int port) {
    }

    @Override
    public void init(Map<String, String> initArgs) {
        endpoints.add(new Endpoint("PostgreSQL", port("MILLION_PG_PORT", 5432)));
        endpoints.add(new Endpoint("Kafka", port("MILLION_KAFKA_PORT", 9092)));
        String redisVariable = initArgs.getOrDefault("redis-port-variable", "MILLION_USERS_REDIS_PORT");
        int redisDefault = Integer.parseInt(initArgs.getOrDefault("redis-port-default", "6381"));
        endpoints.add(new Endpoint("Redis", port(redisVariable, redisDefault)));
    }

    @Override
    public Map<String, String> start() {
        if (!allUp()) {
            runStackScript();
            List<String> down = endpoints.stream().filter(e -> !isOpen(e.port())).map(Endpoint::toString).toList();
            if (!down.isEmpty()) {
                throw new IllegalStateException("Local stack not reachable after start: " + down
                        + "; see stack/million status and the logs it names");
            }
        }
        return Map.of();
    }

    @Override
    public void stop() {
        // Shared across test classes and modules on purpose; `stack/million down` stops it.
    }

    private boolean allUp() {
        return endpoints.stream().allMatch(e -> isOpen(e.port()));
    }

    private static void runStackScript() {
        run("infra");
    }

    /**
     * Runs {@code stack/million <arguments>} (e.g. {@code kafka stop}) and waits for it; fails
     * unless it exits with 0. For fault tests that stop and start a real server.
     */
    public static void run(String... arguments) {
        Path script = findScript();
        List<String> command = new ArrayList<>(List.of("bash", script.toString()));
        command.addAll(List.of(arguments));
        try {
            Process process = new ProcessBuilder(command)
                    .directory(script.getParent().getParent().toFile())
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.INHERIT)
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                    .start();
            if (!process.waitFor(START_TIMEOUT_MINUTES, TimeUnit.MINUTES)) {
                process.destroyForcibly();
                throw new IllegalStateException(command + " did not finish in " + START_TIMEOUT_MINUTES + " min");
            }
            if (process.exitValue() != 0) {
                throw new IllegalStateException(command + " failed with exit code " + process.exitValue());
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot run " + script, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while running " + command, e);
        }
    }

    /** Walks up from the working directory (a module folder under Maven) to the repository root. */
    private static Path findScript() {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            Path candidate = dir.resolve("stack").resolve("million");
            if (Files.isRegularFile(candidate)) {
                return candidate;
            }
        }
        throw new IllegalStateException("stack/million not found above " + Path.of("").toAbsolutePath());
    }

    /** Whether something accepts connections on 127.0.0.1:{@code port}. */
    public static boolean isOpen(int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 500);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static int port(String variable, int fallback) {
        String value = System.getenv(variable);
        return value == null || value.isBlank() ? fallback : Integer.parseInt(value.trim());
    }
}
