package dev.slaprof.producer;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.HdrHistogram.Recorder;

/**
 * The tap's relay of one SSE stream from the engine to the client: the bytes pass through unchanged and at once
 * (but for the usage-only chunk the tap itself asked for, which is dropped), and each event is fed to a
 * {@link StreamMeter} with the time of the read that brought it.
 */
final class SseRelay {
    private SseRelay() {
    }

    /**
     * Copies SSE events byte for byte and drops the usage-only chunk the tap itself asked for. Bytes go to the client
     * first: each read's complete events are written and flushed, and only then parsed for the measurement (the
     * timestamps are those of the read, so nothing changes in what is measured). Only an event that may be the
     * usage chunk is parsed before it is written, since whether to drop it depends on its content.
     */
    static void relay(final InputStream in, final OutputStream out, final StreamMeter meter, final boolean stripUsage,
                      final Recorder delay) throws IOException {
        final ByteArrayOutputStream pending = new ByteArrayOutputStream();
        final byte[] buf = new byte[8192];
        final List<SseParser.Event> events = new ArrayList<>();
        final SseParser parser = new SseParser(events::add);
        final List<String> deferred = new ArrayList<>();
        int n;
        while ((n = in.read(buf)) >= 0) {
            meter.now = System.nanoTime();
            final byte[] data;
            final int len;
            if (pending.size() == 0) {
                data = buf;
                len = n;
            } else {
                pending.write(buf, 0, n);
                data = pending.toByteArray();
                len = data.length;
            }
            int start = 0;
            int end;
            while ((end = eventEnd(data, start, len)) > 0) {
                final String text = new String(data, start, end - start, StandardCharsets.UTF_8);
                boolean drop = false;
                if (stripUsage && text.contains("\"usage\"")) {
                    measure(deferred, parser, events, meter);
                    events.clear();
                    parser.feed(text);
                    drop = events.size() == 1 && StreamMeter.isUsageOnly(events.get(0));
                    for (final SseParser.Event e : events) {
                        meter.onEvent(e);
                    }
                } else {
                    deferred.add(text);
                }
                if (!drop) {
                    out.write(data, start, end - start);
                }
                start = end;
            }
            out.flush();
            delay.recordValue(Math.max(0, (System.nanoTime() - meter.now) / 1000));
            measure(deferred, parser, events, meter);
            final byte[] rest = Arrays.copyOfRange(data, start, len);
            pending.reset();
            pending.write(rest, 0, rest.length);
        }
        if (pending.size() > 0) {
            out.write(pending.toByteArray());
        }
        if (!meter.done && meter.errorType == null) {
            meter.fail("IncompleteStream", "stream ended without [DONE]");
        }
    }

    /** Feeds the events written but not yet measured to the meter, in order. */
    private static void measure(final List<String> deferred, final SseParser parser,
                                final List<SseParser.Event> events, final StreamMeter meter) {
        for (final String text : deferred) {
            events.clear();
            parser.feed(text);
            for (final SseParser.Event e : events) {
                meter.onEvent(e);
            }
        }
        deferred.clear();
    }

    /** Index just past the blank line ending the event that starts at {@code from}, or -1. */
    private static int eventEnd(final byte[] d, final int from, final int len) {
        for (int i = from; i < len - 1; i++) {
            if (d[i] == '\n' && d[i + 1] == '\n') {
                return i + 2;
            }
            if (d[i] == '\r' && i + 3 < len && d[i + 1] == '\n' && d[i + 2] == '\r' && d[i + 3] == '\n') {
                return i + 4;
            }
        }
        return -1;
    }
}
