package dev.slaprof.producer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.slaprof.schema.Mappings;
import dev.slaprof.schema.avro.Role;
import dev.slaprof.simulator.Catalog;
import dev.slaprof.simulator.Faults;
import dev.slaprof.simulator.Fleet;
import dev.slaprof.simulator.PerfModel;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The producer's measurements of the simulator over HTTP, judged against the engine's own schedule of the same
 * requests (which it reports in the stream): the schedule is the performance model exactly, and a measurement over
 * a real clock is never earlier than it. How much later is the HTTP fleet's measurement error, printed here and
 * reported by {@code slaprof run --engines http}; it is a property of the host, not asserted.
 */
class SimulatorOverHttpTest {
    /** The schedule is computed in double model ms from nanosecond deadlines. */
    private static final double EXACT = 1e-6;
    private final Catalog catalog = Catalog.bundled();

    private static String prompt(final int words, final Random r) {
        final StringBuilder sb = new StringBuilder();
        for (int i = 0; i < words; i++) {
            sb.append('w').append(r.nextInt(1_000_000)).append(' ');
        }
        return sb.toString();
    }

    @Test
    void shouldMeasureNoEarlierThanTheEnginesScheduleWhichIsTheModel() throws Exception {
        try (Fleet fleet = Fleet.start(catalog, "Qwen/Qwen3-32B", "H200-SXM", List.of(Mappings.tp(2)),
            List.of(Role.PREFILL, Role.DECODE), 1.0, 0.0, 1, Faults.NONE)) {
            final StreamingClient client = StreamingClient.create(Duration.ofSeconds(30), 1.0);
            final PerfModel model = new PerfModel(catalog.model("Qwen/Qwen3-32B"), catalog.gpu("H200-SXM"),
                catalog.params(catalog.gpu("H200-SXM")), Mappings.tp(2));
            final Random r = new Random(3);
            final String prefillUrl = fleet.engines().get(0).url();
            final String decodeUrl = fleet.engines().get(1).url();
            final ScheduleErrors errors = new ScheduleErrors();
            for (int i = 0; i < 4; i++) {
                final Measurement m = client.measure(prefillUrl, "/v1/chat/completions",
                    StreamingClient.chatBody("m", prompt(2000, r), 5), 2000, Map.of());
                assertThat(m.ok()).as(String.valueOf(m)).isTrue();
                assertThat(m.scheduledTtftMs()).isCloseTo(model.prefillMs(2000), within(EXACT));
                assertThat(m.ttftMs()).isGreaterThanOrEqualTo(m.scheduledTtftMs() - EXACT);
                errors.add(Role.PREFILL, m);
            }

            final Measurement d = client.measure(decodeUrl, "/v1/chat/completions",
                StreamingClient.chatBody("m", prompt(1000, r), 64), 1000, Map.of());
            assertThat(d.ok()).as(String.valueOf(d)).isTrue();
            assertThat(d.outputTokens()).isEqualTo(64);
            double expected = 0;
            for (int k = 1; k < 64; k++) {
                expected += model.decodeStepMs(1, 1000 + k) / 63;
            }
            assertThat(d.scheduledItlMs()).isCloseTo(expected, within(EXACT));
            // The last token cannot reach the client before the engine scheduled it.
            assertThat(d.latencyMs()).isGreaterThanOrEqualTo(d.scheduledTtftMs() + 63 * d.scheduledItlMs() - EXACT);
            errors.add(Role.DECODE, d);
            System.out.printf(Locale.ROOT, "SimulatorOverHttpTest: %s%n", errors.summary());
        }
    }
}
