package io.million.testing;

import org.eclipse.microprofile.config.ConfigProvider;

/**
 * URLs on the management interface of the service under test ({@code /q/*}, {@code /admin/*}),
 * from {@code quarkus.management.test-port} (each service fixes it; Quarkus' own
 * {@code @TestHTTPResource(management = true)} resolved to port 9000 here).
 */
public final class Management {

    private Management() {
    }

    public static String url(String path) {
        int port = ConfigProvider.getConfig().getValue("quarkus.management.test-port", Integer.class);
        return "http://127.0.0.1:" + port + path;
    }
}
