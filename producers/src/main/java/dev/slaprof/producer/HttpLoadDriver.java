package dev.slaprof.producer;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.slaprof.schema.Mappings;
import java.net.http.HttpClient;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.function.Consumer;

/**
 * Drives OpenAI-compatible engines over HTTP: streaming chat requests with an exact output length (ignore_eos,
 * min_tokens = max_tokens), measured by {@link StreamingClient}; KV capacity from the engine's {@code /metrics}.
 */
public final class HttpLoadDriver implements LoadDriver {
    private final StreamingClient client;
    private final HttpClient http = HttpClient.newHttpClient();
    private final ExecutorService pool = Executors.newCachedThreadPool(r -> {
        final Thread t = new Thread(r, "bench-request");
        t.setDaemon(true);
        return t;
    });

    private final Map<String, Capacity> known;

    public HttpLoadDriver(final StreamingClient client) {
        this(client, Map.of());
    }

    /**
     * @param known KV capacities given by the user, by mapping label (from {@code --kv-capacity} or an engine log):
     *              used instead of scraping the engine's {@code /metrics}
     */
    public HttpLoadDriver(final StreamingClient client, final Map<String, Capacity> known) {
        this.client = client;
        this.known = Map.copyOf(known);
    }

    /** The prompt text of an id: {@code isl} whitespace-separated words drawn from {@code new Random(id)}. */
    static String promptText(final long id, final int isl) {
        final Random r = new Random(id);
        final StringBuilder sb = new StringBuilder(isl * 6);
        for (int w = 0; w < isl; w++) {
            sb.append('w').append(Integer.toString(r.nextInt(1 << 20), 36)).append(' ');
        }
        return sb.toString();
    }

    @Override
    public void burst(final Endpoint e, final int isl, final int osl, final List<Long> prompts, final int concurrency,
                      final Consumer<Measurement> sink) {
        final List<Future<?>> futures = new ArrayList<>();
        final Semaphore gate = new Semaphore(concurrency);
        for (final long id : prompts) {
            gate.acquireUninterruptibly();
            futures.add(pool.submit(() -> {
                try {
                    final ObjectNode body = StreamingClient.chatBody(e.deployment().getModel(), promptText(id, isl),
                        osl);
                    sink.accept(client.measure(e.url(), "/v1/chat/completions", body, isl, Map.of()));
                } finally {
                    gate.release();
                }
            }));
        }
        for (final Future<?> f : futures) {
            try {
                f.get();
            } catch (final InterruptedException ex) {
                Thread.currentThread().interrupt();
                return;
            } catch (final ExecutionException ex) {
                throw new IllegalStateException("benchmark request failed: " + ex.getCause(), ex.getCause());
            }
        }
    }

    @Override
    public Capacity kvCapacityPerRank(final Endpoint e) {
        final Capacity given = known.get(Mappings.label(e.mapping()));
        if (given != null) {
            return given;
        }
        final CapacityDiscovery.Finding f = CapacityDiscovery.scrapeFinding(http, e.url());
        return f.found() ? new Capacity(f.tokensPerRank(), f.rule() + " at " + e.url() + "/metrics")
            : Capacity.unknown(f.evidence() + " (" + e.url() + "/metrics)");
    }

    @Override
    public void close() {
        pool.shutdownNow();
    }
}
