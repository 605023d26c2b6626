package dev.slaprof.simulator;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

/** The simulated engine's reading of a request, and the faults it meets: both drawn from the request itself. */
class CompletionRequestTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private static JsonNode body(final String json) throws Exception {
        return JSON.readTree(json);
    }

    @Test
    void shouldCountWordsAndDrawTheSameEarlyStopForTheSameRequest() throws Exception {
        final JsonNode b = body("{\"messages\":[{\"role\":\"user\",\"content\":\"a b  c\"},{\"content\":\"d\"}],"
            + "\"max_tokens\":100,\"stream\":true,\"stream_options\":{\"include_usage\":true}}");
        final CompletionRequest r = CompletionRequest.of(b, true);
        assertThat(r.isl()).isEqualTo(4);
        assertThat(r.stream()).isTrue();
        assertThat(r.usage()).isTrue();
        // Without ignore_eos the output stops between half and all of max_tokens, the same length every time.
        assertThat(r.osl()).isBetween(50, 100).isEqualTo(CompletionRequest.of(b, true).osl());
        final JsonNode exact = body("{\"prompt\":\"x y\",\"max_completion_tokens\":37,\"ignore_eos\":true}");
        assertThat(CompletionRequest.of(exact, false).osl()).isEqualTo(37);
        assertThat(CompletionRequest.of(body("{\"prompt\":\"x\",\"max_tokens\":9,\"min_tokens\":9}"), false).osl())
            .isEqualTo(9);
        assertThat(CompletionRequest.of(body("{\"prompt\":\"  \"}"), false).isl()).isZero();
    }

    @Test
    void shouldInjectFaultsAtTheirRatesTheSameWayEveryRun() throws Exception {
        final FaultInjector f = new FaultInjector(new Faults(0.1, 0.05, 0));
        int errors = 0;
        int aborts = 0;
        final int n = 20_000;
        for (int i = 0; i < n; i++) {
            final CompletionRequest r = CompletionRequest.of(body("{\"prompt\":\"w" + i + " v\",\"max_tokens\":64}"),
                false);
            final String fault = f.faultFor(null, r);
            assertThat(new FaultInjector(new Faults(0.1, 0.05, 0)).faultFor(null, r)).isEqualTo(fault);
            errors += "error".equals(fault) ? 1 : 0;
            aborts += "abort".equals(fault) ? 1 : 0;
        }
        // Binomial: 10 % of 20,000 is 2,000 +- 42 (1 sigma); 5 % is 1,000 +- 31. Five sigma either way.
        assertThat(errors).isBetween(2000 - 212, 2000 + 212);
        assertThat(aborts).isBetween(1000 - 154, 1000 + 154);
        final CompletionRequest any = CompletionRequest.of(body("{\"prompt\":\"p\"}"), false);
        assertThat(f.faultFor(" stream-error ", any)).isEqualTo("stream-error");
        assertThat(new FaultInjector(Faults.NONE).faultFor(null, any)).isEmpty();
        assertThat(new FaultInjector(Faults.NONE).startDelayMs("slow")).isEqualTo(200);
        assertThat(new FaultInjector(new Faults(0, 0, 75)).startDelayMs("")).isEqualTo(75);
    }
}
