package dev.slaprof.producer;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import org.HdrHistogram.Recorder;
import org.junit.jupiter.api.Test;

/** The tap's relay: bytes through unchanged (events split across reads), the usage-only chunk dropped, all measured. */
class SseRelayTest {
    private static final String CONTENT = "data: {\"choices\":[{\"delta\":{\"content\":\"%s\"}}]}\n\n";
    private static final String USAGE = "data: {\"choices\":[],\"usage\":{\"prompt_tokens\":12,\"completion_tokens\":3}}"
        + "\n\n";
    private static final String DONE = "data: [DONE]\n\n";

    /** An input stream that hands out {@code chunk} bytes per read, so events straddle reads. */
    private static InputStream chunked(final byte[] bytes, final int chunk) {
        return new InputStream() {
            private int at;

            @Override
            public int read() {
                return at < bytes.length ? bytes[at++] & 0xff : -1;
            }

            @Override
            public int read(final byte[] b, final int off, final int len) {
                if (at >= bytes.length) {
                    return -1;
                }
                final int n = Math.min(Math.min(len, chunk), bytes.length - at);
                System.arraycopy(bytes, at, b, off, n);
                at += n;
                return n;
            }
        };
    }

    private static String stream() {
        return String.format(CONTENT, "a") + String.format(CONTENT, "b") + ": keep-alive\n\n"
            + String.format(CONTENT, "c") + USAGE + DONE;
    }

    @Test
    void shouldPassEveryByteThroughAndMeasureTheStream() throws Exception {
        for (final int chunk : new int[] {1, 7, 64, 8192}) {
            final ByteArrayOutputStream out = new ByteArrayOutputStream();
            final StreamMeter meter = new StreamMeter(12);
            meter.t0 = System.nanoTime();
            SseRelay.relay(chunked(stream().getBytes(StandardCharsets.UTF_8), chunk), out, meter, false,
                new Recorder(3));
            assertThat(out.toString(StandardCharsets.UTF_8)).as("chunk " + chunk).isEqualTo(stream());
            assertThat(meter.done).isTrue();
            assertThat(meter.errorType).isNull();
            assertThat(meter.promptTokens).isEqualTo(12);
            assertThat(meter.completionTokens).isEqualTo(3);
        }
    }

    @Test
    void shouldDropOnlyTheUsageChunkTheTapAskedFor() throws Exception {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        final StreamMeter meter = new StreamMeter(12);
        meter.t0 = System.nanoTime();
        SseRelay.relay(chunked(stream().getBytes(StandardCharsets.UTF_8), 5), out, meter, true, new Recorder(3));
        assertThat(out.toString(StandardCharsets.UTF_8)).isEqualTo(stream().replace(USAGE, ""));
        // Dropped from the client's stream, still counted by the meter.
        assertThat(meter.promptTokens).isEqualTo(12);
        assertThat(meter.done).isTrue();
    }

    @Test
    void shouldCallAStreamWithoutDoneIncomplete() throws Exception {
        final StreamMeter meter = new StreamMeter(12);
        meter.t0 = System.nanoTime();
        final String cut = String.format(CONTENT, "a") + "data: {\"choi";
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        SseRelay.relay(chunked(cut.getBytes(StandardCharsets.UTF_8), 4), out, meter, false, new Recorder(3));
        assertThat(out.toString(StandardCharsets.UTF_8)).isEqualTo(cut);
        assertThat(meter.errorType).isEqualTo("IncompleteStream");
    }
}
