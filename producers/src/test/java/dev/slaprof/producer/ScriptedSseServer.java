package dev.slaprof.producer;

import com.sun.net.httpserver.HttpServer;
import dev.slaprof.http.LoopbackHttp;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
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

    /** When one request arrived and when each write of its script was flushed, {@link System#nanoTime()}. */
    record Served(List<Write> script, long arrivalNs, long[] writtenNs) {
        /** Ms from the request's arrival to the flush of write {@code i}: the server's own schedule. */
        double offsetMs(final int i) {
            return (writtenNs[i] - arrivalNs) / 1e6;
        }
    }

    private final HttpServer server;
    private final List<Served> served = new CopyOnWriteArrayList<>();
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
            final List<Write> writes = script;
            final long[] written = new long[writes.size()];
            try (OutputStream out = ex.getResponseBody()) {
                int i = 0;
                for (final Write w : writes) {
                    final long wait = t0 + TimeUnit.MILLISECONDS.toNanos(w.atMs()) - System.nanoTime();
                    if (wait > 0) {
                        // Scripted timing: the delay is what the test measures.
                        TimeUnit.NANOSECONDS.sleep(wait);
                    }
                    out.write(w.bytes());
                    out.flush();
                    written[i++] = System.nanoTime();
                }
            } catch (final InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (final IOException e) {
                // The client went away (timeout tests): nothing to do.
            }
            served.add(new Served(writes, t0, written));
        });
        server.start();
    }

    void script(final int httpStatus, final List<Write> writes) {
        this.status = httpStatus;
        this.script = writes;
    }

    /** The requests served so far, in completion order. */
    List<Served> served() {
        return List.copyOf(served);
    }

    /** The last request served. */
    Served last() {
        return served.get(served.size() - 1);
    }

    /** The last request served with the script now in force, once it is complete (null before). */
    Served lastOfCurrentScript() {
        for (int i = served.size() - 1; i >= 0; i--) {
            if (served.get(i).script() == script) {
                return served.get(i);
            }
        }
        return null;
    }

    String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
