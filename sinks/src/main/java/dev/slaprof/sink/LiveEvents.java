package dev.slaprof.sink;

import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Server-sent events for the web UI: each open {@code /api/events} stream gets every event; writes happen on one
 * broadcaster thread, so a slow or vanished client never blocks the Kafka reader that raises the events, and a
 * client whose write fails is dropped. A comment line every {@code heartbeatMs} lets browsers (and proxies) notice
 * a dead connection; {@code retry} tells EventSource to reconnect after 2 s.
 */
final class LiveEvents implements AutoCloseable {
    private final List<OutputStream> clients = new CopyOnWriteArrayList<>();
    private final ScheduledExecutorService broadcaster = Executors.newSingleThreadScheduledExecutor(r -> {
        final Thread t = new Thread(r, "ui-events");
        t.setDaemon(true);
        return t;
    });

    LiveEvents(final long heartbeatMs) {
        broadcaster.scheduleAtFixedRate(() -> write(": ping\n\n"), heartbeatMs, heartbeatMs, TimeUnit.MILLISECONDS);
    }

    /** Takes over an exchange as an event stream (the exchange stays open until the client goes). */
    void open(final HttpExchange ex) throws IOException {
        ex.getResponseHeaders().set("Content-Type", "text/event-stream; charset=utf-8");
        ex.getResponseHeaders().set("Cache-Control", "no-cache");
        ex.sendResponseHeaders(200, 0);
        final OutputStream out = ex.getResponseBody();
        broadcaster.execute(() -> {
            if (send(out, "retry: 2000\nevent: hello\ndata: {}\n\n")) {
                clients.add(out);
            } else {
                ex.close();
            }
        });
    }

    /** Sends one event (JSON data on one line) to every client. */
    void publish(final String event, final String jsonData) {
        if (jsonData.indexOf('\n') >= 0 || event.indexOf('\n') >= 0) {
            throw new IllegalArgumentException("event name and data must be single lines");
        }
        write("event: " + event + "\ndata: " + jsonData + "\n\n");
    }

    int clients() {
        return clients.size();
    }

    private void write(final String frame) {
        broadcaster.execute(() -> {
            for (final OutputStream out : clients) {
                if (!send(out, frame)) {
                    clients.remove(out);
                    try {
                        out.close();
                    } catch (final IOException e) {
                        // The client is gone either way.
                    }
                }
            }
        });
    }

    private static boolean send(final OutputStream out, final String frame) {
        try {
            out.write(frame.getBytes(StandardCharsets.UTF_8));
            out.flush();
            return true;
        } catch (final IOException e) {
            return false;
        }
    }

    @Override
    public void close() {
        broadcaster.shutdownNow();
        for (final OutputStream out : clients) {
            try {
                out.close();
            } catch (final IOException e) {
                // Closing anyway.
            }
        }
        clients.clear();
    }
}
