package dev.slaprof.sink;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import dev.slaprof.http.LoopbackHttp;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/** Server-sent events over real HTTP on loopback: every event reaches every open stream, in order. */
class LiveEventsTest {
    @Test
    void shouldDeliverEveryEventToEveryClient() throws Exception {
        final HttpServer server = LoopbackHttp.create("127.0.0.1", 0, 8);
        final LiveEvents events = new LiveEvents(200);
        server.createContext("/events", events::open);
        server.start();
        final List<String> a = new CopyOnWriteArrayList<>();
        final List<String> b = new CopyOnWriteArrayList<>();
        try {
            final URI uri = URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/events");
            for (final List<String> sink : List.of(a, b)) {
                final HttpResponse<InputStream> r = HttpClient.newHttpClient().send(
                    HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofInputStream());
                assertThat(r.headers().firstValue("Content-Type")).hasValueSatisfying(
                    t -> assertThat(t).startsWith("text/event-stream"));
                final Thread t = new Thread(() -> {
                    try (BufferedReader in = new BufferedReader(new InputStreamReader(r.body(),
                        StandardCharsets.UTF_8))) {
                        String line;
                        while ((line = in.readLine()) != null) {
                            sink.add(line);
                        }
                    } catch (final IOException e) {
                        sink.add("closed");
                    }
                });
                t.setDaemon(true);
                t.start();
            }
            Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> events.clients() == 2);
            for (int i = 0; i < 5; i++) {
                events.publish("recommendation", "{\"n\":" + i + "}");
            }
            for (final List<String> sink : List.of(a, b)) {
                Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> sink.contains("data: {\"n\":4}"));
                assertThat(sink.stream().filter(l -> l.startsWith("data: {\"n\"")).toList()).containsExactly(
                    "data: {\"n\":0}", "data: {\"n\":1}", "data: {\"n\":2}", "data: {\"n\":3}", "data: {\"n\":4}");
                assertThat(sink).contains("retry: 2000", ": ping");
            }
        } finally {
            events.close();
            server.stop(0);
        }
    }
}
