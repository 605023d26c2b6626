package dev.slaprof.http;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.function.Supplier;

/**
 * A loopback {@code /metrics} endpoint in Prometheus' text format (version 0.0.4) for a process without a web UI (the
 * {@code stream} command): each of the supplier's values, read when scraped, under its own name.
 */
public final class MetricsEndpoint implements AutoCloseable {
    private final HttpServer server;

    private MetricsEndpoint(final HttpServer server) {
        this.server = server;
    }

    /** Serves {@code counters} on 127.0.0.1:{@code port} (0: a free port), started. */
    public static MetricsEndpoint start(final int port, final Supplier<Map<String, Double>> counters)
        throws IOException {
        final HttpServer server = LoopbackHttp.create("127.0.0.1", port, 8);
        server.createContext("/metrics", ex -> {
            try (ex) {
                LoopbackHttp.send(ex, 200, "text/plain; version=0.0.4",
                    text(counters.get()).getBytes(StandardCharsets.UTF_8));
            }
        });
        server.start();
        return new MetricsEndpoint(server);
    }

    /** The values as Prometheus text, in the map's order ({@link #append}). */
    static String text(final Map<String, Double> values) {
        return append(new StringBuilder(), values).toString();
    }

    /**
     * Appends each value with its {@code # TYPE} line: a name ending in {@code _total} is a counter (Prometheus'
     * naming rule), any other a gauge. Every slaprof {@code /metrics} writes its plain values this way.
     */
    public static StringBuilder append(final StringBuilder sb, final Map<String, Double> values) {
        values.forEach((name, v) -> sb.append("# TYPE ").append(name)
            .append(name.endsWith("_total") ? " counter\n" : " gauge\n").append(name).append(' ').append(v)
            .append('\n'));
        return sb;
    }

    /** Where it is served. */
    public String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/metrics";
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
