package dev.slaprof.producer;

import com.sun.net.httpserver.HttpServer;
import dev.slaprof.schema.LoopbackHttp;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * A loopback HTTP server that answers every POST with a scripted body: a list of writes, each sent after a delay
 * (ms since the request arrived) and flushed on its own, so tests control chunk boundaries and timings exactly.
 */
final class ScriptedSseServer implements AutoCloseable {
    /** One write: its bytes and when to send them, ms after the request arrived. */
    record Write(long atMs, byte[] bytes) {
        Write(final long atMs, final String text) {
            this(atMs, text.getBytes(StandardCharsets.UTF_8));
        }
    }

    private final HttpServer server;
    private volatile int status = 200;
    private volatile List<Write> script = List.of();

    ScriptedSseServer() throws IOException {
        server = LoopbackHttp.create("127.0.0.1", 0, 64);
        server.setExecutor(Executors.newCachedThreadPool());
        server.createContext("/", ex -> {
            final long t0 = System.nanoTime();
            ex.getRequestBody().readAllBytes();
            ex.getResponseHeaders().set("Content-Type", "text/event-stream");
            ex.sendResponseHeaders(status, 0);
            try (OutputStream out = ex.getResponseBody()) {
                for (final Write w : script) {
                    final long wait = t0 + TimeUnit.MILLISECONDS.toNanos(w.atMs()) - System.nanoTime();
                    if (wait > 0) {
                        // Scripted timing: the delay is what the test measures.
                        TimeUnit.NANOSECONDS.sleep(wait);
                    }
                    out.write(w.bytes());
                    out.flush();
                }
            } catch (final InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (final IOException e) {
                // The client went away (timeout tests): nothing to do.
            }
        });
        server.start();
    }

    void script(final int httpStatus, final List<Write> writes) {
        this.status = httpStatus;
        this.script = writes;
    }

    String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
