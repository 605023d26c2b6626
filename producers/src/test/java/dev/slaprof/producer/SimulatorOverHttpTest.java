package dev.slaprof.producer;

import static org.assertj.core.api.Assertions.assertThat;

import dev.slaprof.schema.Mappings;
import dev.slaprof.schema.avro.Role;
import dev.slaprof.simulator.Catalog;
import dev.slaprof.simulator.Faults;
import dev.slaprof.simulator.Fleet;
import dev.slaprof.simulator.PerfModel;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The producer's measurements of the simulator over HTTP at low load agree with the model within 10 %. */
class SimulatorOverHttpTest {
    private static final double AGREEMENT = 0.10;
    private final Catalog catalog = Catalog.bundled();

    private static String prompt(final int words, final Random r) {
        final StringBuilder sb = new StringBuilder();
        for (int i = 0; i < words; i++) {
            sb.append('w').append(r.nextInt(1_000_000)).append(' ');
        }
        return sb.toString();
    }

    @Test
    void shouldMeasureTtftAndItlWithinTenPercentOfTheModel() throws Exception {
        try (Fleet fleet = Fleet.start(catalog, "Qwen/Qwen3-32B", "H200-SXM", List.of(Mappings.tp(2)),
            List.of(Role.PREFILL, Role.DECODE), 1.0, 0.0, 1, Faults.NONE)) {
            final StreamingClient client = StreamingClient.create(Duration.ofSeconds(30), 1.0);
            final PerfModel model = new PerfModel(catalog.model("Qwen/Qwen3-32B"), catalog.gpu("H200-SXM"),
                catalog.params(), Mappings.tp(2));
            final Random r = new Random(3);
            final String prefillUrl = fleet.engines().get(0).url();
            final String decodeUrl = fleet.engines().get(1).url();
            // Warm the JIT and the connection pool.
            for (int i = 0; i < 3; i++) {
                client.measure(prefillUrl, "/v1/chat/completions", StreamingClient.chatBody("m", prompt(2000, r), 5),
                    2000, Map.of());
            }
            double ttft = 0;
            for (int i = 0; i < 3; i++) {
                final Measurement m = client.measure(prefillUrl, "/v1/chat/completions",
                    StreamingClient.chatBody("m", prompt(2000, r), 5), 2000, Map.of());
                assertThat(m.ok()).as(String.valueOf(m)).isTrue();
                ttft += m.ttftMs() / 3;
            }
            assertThat(ttft).isCloseTo(model.prefillMs(2000),
                org.assertj.core.data.Percentage.withPercentage(AGREEMENT * 100));

            final Measurement d = client.measure(decodeUrl, "/v1/chat/completions",
                StreamingClient.chatBody("m", prompt(1000, r), 64), 1000, Map.of());
            assertThat(d.ok()).as(String.valueOf(d)).isTrue();
            assertThat(d.outputTokens()).isEqualTo(64);
            double expected = 0;
            for (int k = 1; k < 64; k++) {
                expected += model.decodeStepMs(1, 1000 + k) / 63;
            }
            assertThat(d.itlMs()).isCloseTo(expected, org.assertj.core.data.Percentage.withPercentage(AGREEMENT * 100));
        }
    }
}
