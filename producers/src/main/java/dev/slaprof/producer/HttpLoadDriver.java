package dev.slaprof.producer;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.http.HttpClient;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
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

    public HttpLoadDriver(final StreamingClient client) {
        this.client = client;
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
        final OptionalLong perRank = CapacityDiscovery.scrape(http, e.url());
        return perRank.isPresent()
            ? new Capacity(perRank, "vllm:cache_config_info num_gpu_blocks x block_size at " + e.url() + "/metrics")
            : Capacity.unknown("no vllm:cache_config_info in " + e.url() + "/metrics");
    }

    @Override
    public void close() {
        pool.shutdownNow();
    }
}
