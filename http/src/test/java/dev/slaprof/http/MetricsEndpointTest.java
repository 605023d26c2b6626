package dev.slaprof.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * The stream command's /metrics over loopback: the values as they are when scraped, in Prometheus' format, a name
 * ending in _total typed a counter and any other a gauge.
 */
class MetricsEndpointTest {
    @Test
    void shouldServeTheCountersAsTheyAreWhenScraped() throws Exception {
        final AtomicLong samples = new AtomicLong(3);
        try (MetricsEndpoint m = MetricsEndpoint.start(0, () -> {
            final Map<String, Double> c = new LinkedHashMap<>();
            c.put("slaprof_samples_total", (double) samples.get());
            c.put("slaprof_dead_letters_total", 0.0);
            return c;
        })) {
            final HttpClient http = HttpClient.newHttpClient();
            final HttpRequest get = HttpRequest.newBuilder(URI.create(m.url())).build();
            final HttpResponse<String> first = http.send(get, HttpResponse.BodyHandlers.ofString());
            assertThat(first.statusCode()).isEqualTo(200);
            assertThat(first.headers().firstValue("Content-Type")).hasValue("text/plain; version=0.0.4");
            assertThat(first.body()).isEqualTo("# TYPE slaprof_samples_total counter\nslaprof_samples_total 3.0\n"
                + "# TYPE slaprof_dead_letters_total counter\nslaprof_dead_letters_total 0.0\n");
            assertThat(MetricsEndpoint.text(Map.of("slaprof_recommendations", 2.0)))
                .isEqualTo("# TYPE slaprof_recommendations gauge\nslaprof_recommendations 2.0\n");
            samples.set(7);
            assertThat(http.send(get, HttpResponse.BodyHandlers.ofString()).body())
                .contains("slaprof_samples_total 7.0\n");
        }
    }
}
