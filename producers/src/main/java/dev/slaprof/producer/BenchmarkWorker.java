package dev.slaprof.producer;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.slaprof.schema.avro.CapacitySource;
import dev.slaprof.schema.avro.EngineCapacity;
import dev.slaprof.schema.avro.LatencySample;
import dev.slaprof.schema.avro.Load;
import dev.slaprof.schema.avro.Phase;
import dev.slaprof.schema.avro.RequestStatus;
import dev.slaprof.schema.avro.SampleSource;
import dev.slaprof.schema.avro.SourceKind;
import dev.slaprof.schema.avro.StatusCode;
import java.net.http.HttpClient;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Runs Dynamo's measurement recipes against endpoints and publishes one sample per request: prefill points (warmup
 * then one request at concurrency 1, or a DEP burst of attn_dp x 4), decode points (a prefix-cache warm-up burst
 * then the measured burst of n identical prompts). Exact token counts through ignore_eos / min_tokens / max_tokens.
 */
public final class BenchmarkWorker implements AutoCloseable {
    private final StreamingClient client;
    private final SamplePublisher publisher;
    private final String workerId;
    private final ExecutorService pool = Executors.newCachedThreadPool(r -> {
        final Thread t = new Thread(r, "bench-request");
        t.setDaemon(true);
        return t;
    });
    private final HttpClient http = HttpClient.newHttpClient();
    private final Random random;

    public BenchmarkWorker(final StreamingClient client, final SamplePublisher publisher, final String workerId,
                           final long seed) {
        this.client = client;
        this.publisher = publisher;
        this.workerId = workerId;
        this.random = new Random(seed);
    }

    /** Discovers and publishes the engine's KV capacity (whole engine: per-rank value x attn_dp); 0 if unknown. */
    public long discoverCapacity(final Endpoint e) {
        final OptionalLong perRank = CapacityDiscovery.scrape(http, e.url());
        if (perRank.isEmpty()) {
            return 0;
        }
        final long tokens = perRank.getAsLong() * Math.max(1, e.mapping().getAttnDp());
        publisher.publish(EngineCapacity.newBuilder().setDeployment(e.deployment()).setMapping(e.mapping())
            .setMaxKvTokens(tokens).setSource(CapacitySource.METRICS)
            .setDetail("vllm:cache_config_info num_gpu_blocks x block_size x attn_dp " + e.mapping().getAttnDp())
            .setObservedAtUs(System.currentTimeMillis() * 1000).build());
        return tokens;
    }

    /**
     * One prefill point: 3 warmup requests per attention-DP rank, then {@code repeats} measured requests at
     * concurrency 1 (TP/TEP) or bursts of attn_dp x 4 (DEP), OSL 5.
     */
    public void prefillPoint(final Endpoint e, final int isl, final int repeats) {
        final int a = Math.max(1, e.mapping().getAttnDp());
        final String runWarm = UUID.randomUUID().toString();
        burst(e, isl, SweepPlans.PREFILL_OSL, SweepPlans.WARMUP_PER_DP_RANK * a, a == 1 ? 1 : a * 4, Phase.WARMUP,
            runWarm, freshPrompts(isl, SweepPlans.WARMUP_PER_DP_RANK * a), 1);
        for (int i = 0; i < repeats; i++) {
            final int n = a == 1 ? 1 : a * SweepPlans.PREFILL_ATTN_DP_RATIO;
            burst(e, isl, SweepPlans.PREFILL_OSL, n, n, Phase.PROFILING, UUID.randomUUID().toString(),
                freshPrompts(isl, n), 1);
        }
    }

    /** One decode point: a warm-up burst of n requests fills the prefix cache, then the measured burst of n. */
    public void decodePoint(final Endpoint e, final int isl, final int osl, final int n) {
        final List<String> prompts = freshPrompts(isl, n);
        burst(e, isl, osl, n, n, Phase.WARMUP, UUID.randomUUID().toString(), prompts, n);
        burst(e, isl, osl, n, n, Phase.PROFILING, UUID.randomUUID().toString(), prompts, n);
    }

    private void burst(final Endpoint e, final int isl, final int osl, final int count, final int concurrency,
                       final Phase phase, final String runId, final List<String> prompts, final int inFlight) {
        final List<Future<?>> futures = new ArrayList<>();
        final java.util.concurrent.Semaphore gate = new java.util.concurrent.Semaphore(concurrency);
        for (int i = 0; i < count; i++) {
            final String prompt = prompts.get(i % prompts.size());
            gate.acquireUninterruptibly();
            futures.add(pool.submit(() -> {
                try {
                    final ObjectNode body = StreamingClient.chatBody(e.deployment().getModel(), prompt, osl);
                    final Measurement m = client.measure(e.url(), "/v1/chat/completions", body, isl, Map.of());
                    publisher.publish(sample(e, m, phase, runId, inFlight, isl, osl, workerId));
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
            } catch (final java.util.concurrent.ExecutionException ex) {
                throw new IllegalStateException("benchmark request failed: " + ex.getCause(), ex.getCause());
            }
        }
    }

    private List<String> freshPrompts(final int isl, final int n) {
        final List<String> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            final StringBuilder sb = new StringBuilder(isl * 6);
            for (int w = 0; w < isl; w++) {
                sb.append('w').append(Integer.toString(random.nextInt(1 << 20), 36)).append(' ');
            }
            out.add(sb.toString());
        }
        return out;
    }

    /** The sample of one measured request. */
    public static LatencySample sample(final Endpoint e, final Measurement m, final Phase phase, final String runId,
                                       final int inFlight, final int isl, final int osl, final String workerId) {
        final StatusCode code = m.ok() ? StatusCode.OK : m.cancelled() ? StatusCode.CANCELLED : StatusCode.ERROR;
        return LatencySample.newBuilder()
            .setEventId(UUID.randomUUID().toString())
            .setEventTimeUs(m.endEpochUs())
            .setSource(new SampleSource(e.simulated() ? SourceKind.SIMULATED : SourceKind.BENCHMARK, workerId, runId))
            .setPhase(phase)
            .setDeployment(e.deployment())
            .setRole(e.role())
            .setMapping(e.mapping())
            .setLoad(new Load(inFlight, isl, osl))
            .setTtftMs(m.ttftMs())
            .setItlMs(m.itlMs())
            .setRequestLatencyMs(m.latencyMs())
            .setInputTokens(m.inputTokens())
            .setOutputTokens(m.outputTokens())
            .setRequestStartUs(m.startEpochUs())
            .setRequestEndUs(m.endEpochUs())
            .setStatus(new RequestStatus(code, m.httpStatus() == 0 ? null : m.httpStatus(), m.errorType(),
                m.errorMessage()))
            .build();
    }

    @Override
    public void close() {
        pool.shutdownNow();
    }
}
