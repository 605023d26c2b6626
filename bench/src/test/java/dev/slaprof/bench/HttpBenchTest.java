package dev.slaprof.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class HttpBenchTest {
    /** A small run of both measurements over real loopback HTTP: every request answered, directly and via the tap. */
    @Test
    void shouldMeasureTheSimulatorAndTheTapWithEveryRequestAnswered() throws Exception {
        final ByteArrayOutputStream buf = new ByteArrayOutputStream();
        try (PrintStream out = new PrintStream(buf, true, StandardCharsets.UTF_8)) {
            new HttpBench(4, 4, 2, 8).run(out);
        }
        final String printed = buf.toString(StandardCharsets.UTF_8);
        assertThat(printed).contains("simulator, 4 concurrent streams: measured ITL mean", "; 4 ok",
            "direct   8 requests (8 ok)", "via tap  8 requests (8 ok)", "dropped 0",
            "latency added inside the tap at 4 streams").doesNotContain("failed");
    }
}
