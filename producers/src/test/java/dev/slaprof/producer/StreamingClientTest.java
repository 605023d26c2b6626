package dev.slaprof.producer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * AIPerf-definition measurements over real loopback HTTP, on streams whose chunk timings the test scripts. Timings
 * are checked against what was measured in the same run, never against a fixed window: a figure is no earlier
 * than the server's own flush of the chunk it stands for (causality), no later than the call itself, and the three
 * figures of one request agree with each other exactly. The definitions' exact numbers are in
 * {@link StreamMeterTest}, on given timestamps.
 */
class StreamingClientTest {
    /** Rounding of the ms figures (they are computed from nanoseconds). */
    private static final double EXACT_MS = 1e-6;
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

    /** A measurement with the server's own record of the same request and the call's own wall duration. */
    private record Timed(Measurement m, ScriptedSseServer.Served served, double callMs) {
    }

    private Timed timed() {
        final long t0 = System.nanoTime();
        final Measurement m = measure();
        final double callMs = (System.nanoTime() - t0) / 1e6;
        // The server records a request once its handler returns, which may be just after the client has finished.
        return new Timed(m, Awaitility.await().until(server::lastOfCurrentScript,
            Objects::nonNull), callMs);
    }

    /** TTFT no earlier than the server's flush of the first content write, latency no earlier than the last's. */
    private static void assertCausal(final Timed t, final int firstContentWrite, final int lastContentWrite) {
        final Measurement m = t.m();
        assertThat(m.ttftMs()).isGreaterThanOrEqualTo(t.served().offsetMs(firstContentWrite) - EXACT_MS)
            .isLessThanOrEqualTo(t.callMs());
        assertThat(m.latencyMs()).isGreaterThanOrEqualTo(t.served().offsetMs(lastContentWrite) - EXACT_MS)
            .isLessThanOrEqualTo(t.callMs());
        // ITL is (last content - first content) / (OSL - 1): the same two instants as latency and TTFT.
        assertThat(m.itlMs() * (m.outputTokens() - 1)).isCloseTo(m.latencyMs() - m.ttftMs(), within(EXACT_MS));
    }

    @Test
    void shouldMeasureTtftFromTheFirstContentChunkAndItlOverTheUsageOsl() {
        // Role-only chunk at 20 ms does not count; first content at 100 ms; last content at 300 ms; 11 tokens.
        server.script(200, List.of(new ScriptedSseServer.Write(20, ROLE),
            new ScriptedSseServer.Write(100, chunk("a")),
            new ScriptedSseServer.Write(200, chunk("b c d e f")),
            new ScriptedSseServer.Write(300, chunk("g h i j k") + FINISH + USAGE + DONE)));
        final Timed t = timed();
        final Measurement m = t.m();
        assertThat(m.ok()).isTrue();
        // The role-only chunk (write 0, flushed at 20 ms) does not count: TTFT is at least the first content's flush.
        assertCausal(t, 1, 3);
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
        final Timed t = timed();
        assertThat(t.m().ok()).isTrue();
        // The first event is complete only with its third piece (write 2); the last content ends in write 4.
        assertCausal(t, 2, 4);
    }

    @Test
    void shouldHandleEventsMergedInOneWrite() {
        server.script(200, List.of(new ScriptedSseServer.Write(30,
            ROLE + chunk("a") + chunk("b") + chunk("c d e f g h i j k") + FINISH + USAGE + DONE)));
        final Timed t = timed();
        final Measurement m = t.m();
        assertThat(m.ok()).isTrue();
        assertCausal(t, 0, 0);
        // All content arrived in one read (one write of under 1 KB on loopback): no measurable gap.
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
