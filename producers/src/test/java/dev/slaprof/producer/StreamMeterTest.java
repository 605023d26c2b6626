package dev.slaprof.producer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

/** AIPerf's definitions on given timestamps: exact numbers, no clock involved. */
class StreamMeterTest {
    private static final double EXACT = 1e-9;
    private static final long MS = 1_000_000;

    private static String chunk(final String content) {
        return "{\"choices\":[{\"index\":0,\"delta\":{\"content\":\"" + content + "\"},\"finish_reason\":null}]}";
    }

    private static void at(final StreamMeter m, final long ms, final String data) {
        m.now = ms * MS;
        m.onEvent(new SseParser.Event("message", data, ""));
    }

    @Test
    void shouldTakeTtftAtTheFirstContentAndItlOverTheUsageTokens() {
        final StreamMeter m = new StreamMeter(12);
        m.t0 = 0;
        at(m, 20, "{\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"\"}}]}");
        at(m, 100, chunk("a"));
        at(m, 200, chunk("b c d e f"));
        at(m, 300, chunk("g h i j k"));
        at(m, 310, "{\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"length\"}]}");
        at(m, 320, "{\"choices\":[],\"usage\":{\"prompt_tokens\":12,\"completion_tokens\":11}}");
        at(m, 330, "[DONE]");
        final Measurement r = m.result(0, 1);
        assertThat(r.ok()).isTrue();
        assertThat(r.ttftMs()).isCloseTo(100, within(EXACT));
        // ITL = (300 - 100) / (11 - 1).
        assertThat(r.itlMs()).isCloseTo(20, within(EXACT));
        assertThat(r.latencyMs()).isCloseTo(300, within(EXACT));
        assertThat(r.outputTokens()).isEqualTo(11);
        assertThat(r.scheduledTtftMs()).isNull();
    }

    @Test
    void shouldScaleSimulatedTimeBackAndReadTheEnginesSchedule() {
        final StreamMeter m = new StreamMeter(5);
        m.t0 = 0;
        at(m, 10, chunk("a"));
        at(m, 30, chunk("b c"));
        m.onEvent(new SseParser.Event("message", "", "slaprof-schedule ttft_ms=190.5 itl_ms=19.25 tokens=3"));
        at(m, 31, "{\"choices\":[],\"usage\":{\"prompt_tokens\":5,\"completion_tokens\":3}}");
        at(m, 32, "[DONE]");
        final Measurement r = m.result(0, 20);
        assertThat(r.ttftMs()).isCloseTo(200, within(EXACT));
        assertThat(r.itlMs()).isCloseTo(200, within(EXACT));
        assertThat(r.scheduledTtftMs()).isEqualTo(190.5);
        assertThat(r.scheduledItlMs()).isEqualTo(19.25);
        assertThat(r.ttftError()).isCloseTo(9.5 / 190.5, within(EXACT));
    }

    @Test
    void shouldIgnoreForeignComments() {
        final StreamMeter m = new StreamMeter(5);
        m.onEvent(new SseParser.Event("message", "", "slaprof-schedule ttft_ms=abc"));
        m.onEvent(new SseParser.Event("message", "", "keep-alive"));
        assertThat(m.scheduledTtftMs).isNull();
        assertThat(m.finished).isFalse();
    }

    /**
     * A vLLM- or Dynamo-shaped agentic stream: reasoning first, then the tool call in deltas; the call's chunks are
     * output (AIPerf counts them), so ITL runs to the last argument chunk, not to the end of the reasoning. The
     * final usage chunk is SGLang-shaped: no {@code object} field and an id of its own.
     */
    @Test
    void shouldCountToolCallDeltasAsOutputAsAiperfDoes() {
        final StreamMeter m = new StreamMeter(20);
        m.t0 = 0;
        at(m, 5, "{\"id\":\"a\",\"object\":\"chat.completion.chunk\",\"choices\":[{\"index\":0,\"delta\":"
            + "{\"role\":\"assistant\",\"content\":\"\"}}]}");
        at(m, 40, "{\"id\":\"a\",\"object\":\"chat.completion.chunk\",\"choices\":[{\"index\":0,\"delta\":"
            + "{\"reasoning_content\":\"Need the weather.\"}}]}");
        at(m, 60, "{\"id\":\"a\",\"object\":\"chat.completion.chunk\",\"choices\":[{\"index\":0,\"delta\":"
            + "{\"tool_calls\":[{\"index\":0,\"id\":\"call_1\",\"type\":\"function\",\"function\":{\"name\":"
            + "\"get_weather\",\"arguments\":\"\"}}]}}]}");
        at(m, 80, "{\"id\":\"a\",\"object\":\"chat.completion.chunk\",\"choices\":[{\"index\":0,\"delta\":"
            + "{\"tool_calls\":[{\"index\":0,\"function\":{\"arguments\":\"{\\\"city\\\": \\\"Oslo\\\"}\"}}]}}]}");
        // An empty tool-call delta (no name, no arguments) is not output.
        at(m, 90, "{\"id\":\"a\",\"object\":\"chat.completion.chunk\",\"choices\":[{\"index\":0,\"delta\":"
            + "{\"tool_calls\":[{\"index\":0,\"function\":{}}]},\"finish_reason\":\"tool_calls\"}]}");
        at(m, 95, "{\"id\":\"usage-1\",\"choices\":[],\"usage\":{\"prompt_tokens\":20,\"completion_tokens\":9,"
            + "\"prompt_tokens_details\":{\"cached_tokens\":16}}}");
        at(m, 96, "[DONE]");
        final Measurement r = m.result(0, 1);
        assertThat(r.ok()).isTrue();
        assertThat(r.ttftMs()).isCloseTo(40, within(EXACT));
        assertThat(r.latencyMs()).isCloseTo(80, within(EXACT));
        assertThat(r.itlMs()).isCloseTo((80 - 40) / 8.0, within(EXACT));
        assertThat(r.outputTokens()).isEqualTo(9);
        assertThat(r.inputTokens()).isEqualTo(20);
    }
}
