package dev.slaprof.producer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** AIPerf-definition measurements over real loopback HTTP, on streams whose chunk timings the test scripts. */
class StreamingClientTest {
    /** Scheduling and loopback latency allowed on a shared 2-core machine, ms. */
    private static final double TIMING_TOLERANCE_MS = 30;
    private static ScriptedSseServer server;
    private final StreamingClient client = StreamingClient.create(Duration.ofSeconds(5), 1);

    @BeforeAll
    static void start() throws Exception {
        server = new ScriptedSseServer();
        // One untimed request warms the JIT and the connection pool, so the first timed test is not penalised.
        server.script(200, List.of(new ScriptedSseServer.Write(0, DONE)));
        StreamingClient.create(Duration.ofSeconds(5), 1).measure(server.url(), "/v1/chat/completions",
            StreamingClient.chatBody("m", "warm", 1), 1, Map.of());
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static String chunk(final String content) {
        return "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"" + content + "\"},\"finish_reason\":null}]}\n\n";
    }

    private static final String ROLE = "data: {\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"\"}}]}\n\n";
    private static final String FINISH = "data: {\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"length\"}]}\n\n";
    private static final String USAGE =
        "data: {\"choices\":[],\"usage\":{\"prompt_tokens\":12,\"completion_tokens\":11,\"total_tokens\":23}}\n\n";
    private static final String DONE = "data: [DONE]\n\n";

    private Measurement measure() {
        return client.measure(server.url(), "/v1/chat/completions", StreamingClient.chatBody("m", "hello", 11), 12,
            Map.of());
    }

    @Test
    void shouldMeasureTtftFromTheFirstContentChunkAndItlOverTheUsageOsl() {
        // Role-only chunk at 20 ms does not count; first content at 100 ms; last content at 300 ms; 11 tokens.
        server.script(200, List.of(new ScriptedSseServer.Write(20, ROLE),
            new ScriptedSseServer.Write(100, chunk("a")),
            new ScriptedSseServer.Write(200, chunk("b c d e f")),
            new ScriptedSseServer.Write(300, chunk("g h i j k") + FINISH + USAGE + DONE)));
        final Measurement m = measure();
        assertThat(m.ok()).isTrue();
        assertThat(m.ttftMs()).isCloseTo(100, within(TIMING_TOLERANCE_MS));
        // ITL = (300 - 100) / (11 - 1) = 20 ms.
        assertThat(m.itlMs()).isCloseTo(20, within(TIMING_TOLERANCE_MS / 10));
        assertThat(m.latencyMs()).isCloseTo(300, within(TIMING_TOLERANCE_MS));
        assertThat(m.inputTokens()).isEqualTo(12);
        assertThat(m.outputTokens()).isEqualTo(11);
    }

    @Test
    void shouldReassembleEventsSplitAcrossWrites() {
        final String first = chunk("a");
        server.script(200, List.of(new ScriptedSseServer.Write(50, first.substring(0, 17)),
            new ScriptedSseServer.Write(60, first.substring(17, 40)),
            new ScriptedSseServer.Write(70, first.substring(40)),
            new ScriptedSseServer.Write(150, chunk("b c d e f g h i j k").substring(0, 30)),
            new ScriptedSseServer.Write(160, chunk("b c d e f g h i j k").substring(30) + USAGE + "data: [DO"),
            new ScriptedSseServer.Write(170, "NE]\n\n")));
        final Measurement m = measure();
        assertThat(m.ok()).isTrue();
        assertThat(m.ttftMs()).isCloseTo(70, within(TIMING_TOLERANCE_MS));
        assertThat(m.itlMs()).isCloseTo((160 - 70) / 10.0, within(TIMING_TOLERANCE_MS / 10));
    }

    @Test
    void shouldHandleEventsMergedInOneWrite() {
        server.script(200, List.of(new ScriptedSseServer.Write(30,
            ROLE + chunk("a") + chunk("b") + chunk("c d e f g h i j k") + FINISH + USAGE + DONE)));
        final Measurement m = measure();
        assertThat(m.ok()).isTrue();
        assertThat(m.ttftMs()).isCloseTo(30, within(TIMING_TOLERANCE_MS));
        // All content arrived in one read: no measurable gap.
        assertThat(m.itlMs()).isEqualTo(0.0);
    }

    @Test
    void shouldFailAStreamWithoutDone() {
        server.script(200, List.of(new ScriptedSseServer.Write(10, chunk("a")), new ScriptedSseServer.Write(20,
            chunk("b") + USAGE)));
        final Measurement m = measure();
        assertThat(m.ok()).isFalse();
        assertThat(m.errorType()).isEqualTo("IncompleteStream");
        assertThat(m.ttftMs()).isNotNull();
        assertThat(m.itlMs()).isNull();
    }

    @Test
    void shouldFailOnADataErrorPayload() {
        server.script(200, List.of(new ScriptedSseServer.Write(10, chunk("a")),
            new ScriptedSseServer.Write(20, "data: {\"error\":{\"message\":\"boom\",\"code\":500}}\n\n" + DONE)));
        final Measurement m = measure();
        assertThat(m.ok()).isFalse();
        assertThat(m.errorType()).isEqualTo("StreamError");
        assertThat(m.errorMessage()).isEqualTo("boom");
    }

    @Test
    void shouldFailOnDynamosErrorEventWithCommentLines() {
        server.script(200, List.of(new ScriptedSseServer.Write(10, chunk("a")),
            new ScriptedSseServer.Write(20, "event: error\n: worker lost\n\n")));
        final Measurement m = measure();
        assertThat(m.ok()).isFalse();
        assertThat(m.errorType()).isEqualTo("StreamError");
        assertThat(m.errorMessage()).isEqualTo("worker lost");
    }

    @Test
    void shouldReportHttpErrors() {
        server.script(503, List.of(new ScriptedSseServer.Write(0, "{\"error\":\"overloaded\"}")));
        final Measurement m = measure();
        assertThat(m.ok()).isFalse();
        assertThat(m.httpStatus()).isEqualTo(503);
        assertThat(m.errorType()).isEqualTo("HttpError");
        assertThat(m.errorMessage()).contains("overloaded");
    }

    @Test
    void shouldReportATimeoutAsACancellation() {
        final StreamingClient impatient = StreamingClient.create(Duration.ofMillis(200), 1);
        server.script(200, List.of(new ScriptedSseServer.Write(1000, chunk("late") + DONE)));
        final Measurement m = impatient.measure(server.url(), "/v1/chat/completions",
            StreamingClient.chatBody("m", "hi", 4), 1, Map.of());
        assertThat(m.ok()).isFalse();
        assertThat(m.cancelled()).isTrue();
        assertThat(m.errorType()).isEqualTo("RequestCancellationError");
    }

    @Test
    void shouldFailWhenNothingListens() {
        final Measurement m = client.measure("http://127.0.0.1:1", "/v1/chat/completions",
            StreamingClient.chatBody("m", "hi", 4), 1, Map.of());
        assertThat(m.ok()).isFalse();
        assertThat(m.httpStatus()).isZero();
        assertThat(m.errorType()).isNotNull();
    }
}
