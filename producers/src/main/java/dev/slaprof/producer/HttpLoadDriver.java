package dev.slaprof.producer;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.slaprof.schema.Mappings;
import java.net.http.HttpClient;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.function.Consumer;

/**
 * Drives OpenAI-compatible engines over HTTP: streaming chat requests with an exact input length in the engine's own
 * tokens ({@link PromptFitter}) and an exact output length (ignore_eos, min_tokens = max_tokens), measured by
 * {@link StreamingClient}; KV capacity from the engine's {@code /metrics}.
 */
public final class HttpLoadDriver implements LoadDriver {
    private final StreamingClient client;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private final ExecutorService pool = Executors.newCachedThreadPool(r -> {
        final Thread t = new Thread(r, "bench-request");
        t.setDaemon(true);
        return t;
    });

    private final Map<String, Capacity> known;
    private final PromptFitter fitter;
    /** The last burst's prompts by engine, ISL and id: a decode point's measured burst repeats its warm-up's. */
    private final Map<String, String> lastPrompts = new ConcurrentHashMap<>();

    public HttpLoadDriver(final StreamingClient client) {
        this(client, Map.of());
    }

    /**
     * @param known KV capacities given by the user, by mapping label (from {@code --kv-capacity} or an engine log):
     *              used instead of scraping the engine's {@code /metrics}; read at each discovery, so a capacity
     *              added later (an engine started in a later wave) counts: a map safe for concurrent reads
     */
    public HttpLoadDriver(final StreamingClient client, final Map<String, Capacity> known) {
        this(client, known, w -> System.out.println("slaprof: warning: " + w));
    }

    /** @param warn where a one-time notice goes (an engine without {@code /tokenize}) */
    public HttpLoadDriver(final StreamingClient client, final Map<String, Capacity> known,
                          final Consumer<String> warn) {
        this.client = client;
        this.known = Collections.unmodifiableMap(known);
        this.fitter = new PromptFitter(http, warn);
    }

    /**
     * The prompts of a burst, each {@code isl} tokens of the engine's tokenizer where it can count them, fitted
     * before the first request is sent so that the burst's requests still start together.
     */
    private List<String> texts(final Endpoint e, final int isl, final List<Long> prompts) {
        final Map<String, String> kept = new HashMap<>();
        final List<String> out = new ArrayList<>(prompts.size());
        for (final long id : prompts) {
            final String key = e.url() + "|" + isl + "|" + id;
            String text = lastPrompts.get(key);
            if (text == null) {
                text = fitter.prompt(e.url(), e.deployment().getModel(), id, isl).text();
            }
            kept.put(key, text);
            out.add(text);
        }
        lastPrompts.clear();
        lastPrompts.putAll(kept);
        return out;
    }

    @Override
    public void burst(final Endpoint e, final int isl, final int osl, final List<Long> prompts, final int concurrency,
                      final Consumer<Measurement> sink) {
        final List<Future<?>> futures = new ArrayList<>();
        final Semaphore gate = new Semaphore(concurrency);
        for (final String text : texts(e, isl, prompts)) {
            gate.acquireUninterruptibly();
            futures.add(pool.submit(() -> {
                try {
                    final ObjectNode body = StreamingClient.chatBody(e.deployment().getModel(), text, osl);
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
