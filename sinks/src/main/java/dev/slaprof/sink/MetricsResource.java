package dev.slaprof.sink;

import dev.slaprof.dynamo.SafeNames;
import com.sun.net.httpserver.HttpExchange;
import dev.slaprof.http.LoopbackHttp;
import dev.slaprof.http.MetricsEndpoint;
import dev.slaprof.http.HttpSurface;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * {@code GET /metrics}: Prometheus text of the recommendations held and their ages, the counters the caller adds
 * (samples processed, ...) and the HTTP surface's own access counters.
 */
final class MetricsResource {
    private final PlannerClient client;
    private final Supplier<Map<String, Double>> counters;
    private final HttpSurface surface;

    MetricsResource(final PlannerClient client, final Supplier<Map<String, Double>> counters, final HttpSurface surface) {
        this.client = client;
        this.counters = counters;
        this.surface = surface;
    }

    void serve(final HttpExchange ex) throws IOException {
        final StringBuilder sb = new StringBuilder();
        sb.append("# HELP slaprof_recommendations Recommendation snapshots held.\n")
            .append("# TYPE slaprof_recommendations gauge\nslaprof_recommendations ").append(client.all().size())
            .append('\n');
        sb.append("# HELP slaprof_recommendation_age_seconds Seconds since the recommendation was computed.\n")
            .append("# TYPE slaprof_recommendation_age_seconds gauge\n");
        final double now = System.currentTimeMillis() / 1000.0;
        client.all().forEach((k, r) -> sb.append("slaprof_recommendation_age_seconds{deployment=\"")
            .append(SafeNames.deployment(k.getDeployment())).append("\",profile=\"")
            .append(SafeNames.segment(k.getProfile())).append("\"} ")
            .append(String.format(Locale.ROOT, "%.3f", now - r.getGeneratedAtUs() / 1e6)).append('\n'));
        MetricsEndpoint.append(sb, Optional.ofNullable(counters).map(Supplier::get).orElse(Map.of()));
        MetricsEndpoint.append(sb, surface.policy().counters());
        LoopbackHttp.send(ex, 200, "text/plain; version=0.0.4", sb.toString().getBytes(StandardCharsets.UTF_8));
        ex.close();
    }
}
