package dev.slaprof.producer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.CharBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Sends one streaming OpenAI-compatible request and measures it as AIPerf does: TTFT from send to the first chunk
 * with non-empty content or reasoning (role-only, finish and usage chunks do not count); ITL = (last content - first
 * content) / (OSL - 1); OSL and ISL from the final usage chunk. A stream that ends without [DONE], an error event or
 * a {@code data: {"error": ...}} payload is a failure. Monotonic clock for intervals, epoch clock for event time.
 */
public final class StreamingClient {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Closes streams that outlive their timeout: the HttpClient's own timeout stops at the response headers. */
    private static final ScheduledExecutorService WATCHDOG =
        Executors.newSingleThreadScheduledExecutor(r -> {
            final Thread t = new Thread(r, "stream-watchdog");
            t.setDaemon(true);
            return t;
        });

    private final HttpClient http;
    private final Duration timeout;
    private final double timeScale;

    /**
     * @param timeScale model ms per measured wall ms: 1 for real engines; the simulator's speed-up for simulated ones
     */
    public StreamingClient(final HttpClient http, final Duration timeout, final double timeScale) {
        this.http = http;
        this.timeout = timeout;
        this.timeScale = timeScale;
    }

    /** A client with its own HTTP/1.1 connection pool. */
    public static StreamingClient create(final Duration timeout, final double timeScale) {
        return new StreamingClient(HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10)).build(), timeout, timeScale);
    }

    /** Chat request body with an exact output length (ignore_eos, min_tokens = max_tokens). */
    public static ObjectNode chatBody(final String model, final String prompt, final int osl) {
        final ObjectNode body = JSON.createObjectNode().put("model", model).put("stream", true)
            .put("max_tokens", osl).put("min_tokens", osl).put("ignore_eos", true);
        body.putObject("stream_options").put("include_usage", true);
        body.putArray("messages").addObject().put("role", "user").put("content", prompt);
        return body;
    }

    /** Sends {@code body} to {@code baseUrl + path} and measures the stream. Never throws for request failures. */
    public Measurement measure(final String baseUrl, final String path, final JsonNode body, final int requestedIsl,
                               final Map<String, String> headers) {
        final HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(baseUrl + path)).timeout(timeout)
            .header("Content-Type", "application/json").header("Accept", "text/event-stream")
            .POST(HttpRequest.BodyPublishers.ofString(body.toString()));
        headers.forEach(b::header);
        final StreamMeter st = new StreamMeter(requestedIsl);
        final long startEpochUs = System.currentTimeMillis() * 1000;
        st.t0 = System.nanoTime();
        try {
            final HttpResponse<InputStream> resp = http.send(b.build(), HttpResponse.BodyHandlers.ofInputStream());
            st.status = resp.statusCode();
            final InputStream stream = resp.body();
            final long leftNs = timeout.toNanos() - (System.nanoTime() - st.t0);
            final var guard = WATCHDOG.schedule(() -> {
                st.timedOut = true;
                closeQuietly(stream);
            }, Math.max(0, leftNs), TimeUnit.NANOSECONDS);
            try (InputStream in = stream; Reader r = new InputStreamReader(in, StandardCharsets.UTF_8)) {
                if (resp.statusCode() != 200) {
                    final String text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
                    st.fail("HttpError", "HTTP " + resp.statusCode() + ": " + abbreviate(text));
                } else {
                    read(r, st);
                }
            } finally {
                guard.cancel(false);
            }
        } catch (final HttpTimeoutException e) {
            st.cancelled = true;
            st.fail("RequestCancellationError", "request timed out after " + timeout.toMillis() + " ms");
        } catch (final IOException e) {
            if (st.timedOut) {
                st.cancelled = true;
                st.fail("RequestCancellationError", "stream cancelled after " + timeout.toMillis() + " ms");
            } else {
                st.fail(e.getClass().getSimpleName(), String.valueOf(e.getMessage()));
            }
        } catch (final InterruptedException e) {
            Thread.currentThread().interrupt();
            st.cancelled = true;
            st.fail("RequestCancellationError", "interrupted");
        }
        return st.result(startEpochUs, timeScale);
    }

    private static void read(final Reader r, final StreamMeter st) throws IOException {
        final SseParser parser = new SseParser(st::onEvent);
        final char[] buf = new char[8192];
        int n;
        while ((n = r.read(buf)) >= 0 && !st.finished) {
            st.now = System.nanoTime();
            parser.feed(CharBuffer.wrap(buf, 0, n));
        }
        parser.finish();
        if (st.timedOut) {
            throw new IOException("cancelled by the watchdog");
        }
        if (!st.done && st.errorType == null) {
            st.fail("IncompleteStream", "stream ended without [DONE]");
        }
    }

    private static void closeQuietly(final InputStream in) {
        try {
            in.close();
        } catch (final IOException e) {
            // Closing is how the watchdog cancels; a failure to close changes nothing.
        }
    }

    private static String abbreviate(final String s) {
        return s.length() > 300 ? s.substring(0, 300) + "..." : s;
    }
}
