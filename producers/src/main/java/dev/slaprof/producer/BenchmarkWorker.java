package dev.slaprof.producer;

import dev.slaprof.schema.Mappings;
import dev.slaprof.schema.avro.CapacitySource;
import dev.slaprof.schema.avro.EngineCapacity;
import dev.slaprof.schema.avro.LatencySample;
import dev.slaprof.schema.avro.Load;
import dev.slaprof.schema.avro.Phase;
import dev.slaprof.schema.avro.RequestStatus;
import dev.slaprof.schema.avro.SampleSource;
import dev.slaprof.schema.avro.SourceKind;
import dev.slaprof.schema.avro.StatusCode;
import dev.slaprof.schema.avro.Sweep;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.UUID;

/**
 * Runs Dynamo's measurement recipes against endpoints and publishes one sample per request: prefill points (warmup
 * then one request at concurrency 1, or a DEP burst of attn_dp x 4), decode points (a prefix-cache warm-up burst
 * then the measured burst of n identical prompts). The requests go through a {@link LoadDriver}: real HTTP, or the
 * simulated fleet in virtual time; the recipes and the samples are the same either way.
 */
public final class BenchmarkWorker implements AutoCloseable {
    private final LoadDriver driver;
    private final SamplePublisher publisher;
    private final String workerId;
    private Random random;
    private final ScheduleErrors errors = new ScheduleErrors();
    private final PointTally tally = new PointTally();
    private String lastCapacityReason;
    private CapacitySource lastCapacitySource;
    private String lastCapacityDetail;

    public BenchmarkWorker(final LoadDriver driver, final SamplePublisher publisher, final String workerId,
                           final long seed) {
        this.driver = driver;
        this.publisher = publisher;
        this.workerId = workerId;
        this.random = new Random(seed);
    }

    /** A worker over HTTP through {@code client}. */
    public BenchmarkWorker(final StreamingClient client, final SamplePublisher publisher, final String workerId,
                           final long seed) {
        this(new HttpLoadDriver(client), publisher, workerId, seed);
    }

    /** Draws the following prompts from {@code seed} (a new profiling round). */
    public void reseed(final long seed) {
        this.random = new Random(seed);
    }

    /** Every measured request's outcome, per sweep point ({@link #pointName}). */
    public PointTally tally() {
        return tally;
    }

    /** The name a point is counted under: role, mapping, ISL and in-flight requests. */
    public static String pointName(final Endpoint e, final int isl, final int inFlight) {
        return Mappings.pointName(e.role(), e.mapping(), isl, inFlight);
    }

    /** The profiling requests' measurement errors against the engines' own schedules (where they report one). */
    public ScheduleErrors errors() {
        return errors;
    }

    /**
     * Records that the decode sweep of {@code e} is capped at {@code cap} in flight although its KV capacity allows
     * {@code allowed}: the capacity record is published again with the cap, so the recommendation can say so.
     */
    public void noteSweepCap(final Endpoint e, final long tokens, final int cap, final int allowed) {
        publisher.publish(EngineCapacity.newBuilder().setDeployment(e.deployment()).setMapping(e.mapping())
            .setMaxKvTokens(tokens).setSource(lastCapacitySource).setDetail(lastCapacityDetail + "; decode sweep "
                + "capped at " + cap + " of " + allowed + " in flight").setDecodeSweepCap(cap)
            .setObservedAtUs(System.currentTimeMillis() * 1000).build());
    }

    /** Why the last {@link #discoverCapacity} found nothing, or null. */
    public String lastCapacityReason() {
        return lastCapacityReason;
    }

    /** Discovers and publishes the engine's KV capacity (whole engine: per-rank value x attn_dp); 0 if unknown. */
    public long discoverCapacity(final Endpoint e) {
        final LoadDriver.Capacity c = driver.kvCapacityPerRank(e);
        if (c.tokensPerRank().isEmpty()) {
            lastCapacityReason = c.detail();
            return 0;
        }
        lastCapacityReason = null;
        lastCapacitySource = c.source();
        lastCapacityDetail = c.detail() + " x attn_dp " + e.mapping().getAttnDp();
        final long tokens = c.tokensPerRank().getAsLong() * Math.max(1, e.mapping().getAttnDp());
        publisher.publish(EngineCapacity.newBuilder().setDeployment(e.deployment()).setMapping(e.mapping())
            .setMaxKvTokens(tokens).setSource(c.source())
            .setDetail(c.detail() + " x attn_dp " + e.mapping().getAttnDp())
            .setObservedAtUs(System.currentTimeMillis() * 1000).build());
        return tokens;
    }

    /**
     * One prefill point of {@code sweep}: 3 warmup requests per attention-DP rank, then {@code repeats} measured
     * requests at concurrency 1 (TP/TEP) or bursts of attn_dp x 4 (DEP), OSL 5.
     */
    public void prefillPoint(final Endpoint e, final int isl, final int repeats, final Sweep sweep) {
        final int a = Math.max(1, e.mapping().getAttnDp());
        burst(e, isl, SweepPlans.PREFILL_OSL, a == 1 ? 1 : a * 4, Phase.WARMUP, UUID.randomUUID().toString(),
            freshPrompts(SweepPlans.WARMUP_PER_DP_RANK * a), 1, sweep);
        for (int i = 0; i < repeats; i++) {
            final int n = a == 1 ? 1 : a * SweepPlans.PREFILL_ATTN_DP_RATIO;
            burst(e, isl, SweepPlans.PREFILL_OSL, n, Phase.PROFILING, UUID.randomUUID().toString(), freshPrompts(n),
                1, sweep);
        }
    }

    /** One decode point: a warm-up burst of n requests fills the prefix cache, then the measured burst of n. */
    public void decodePoint(final Endpoint e, final int isl, final int osl, final int n, final Sweep sweep) {
        final List<Long> prompts = freshPrompts(n);
        burst(e, isl, osl, n, Phase.WARMUP, UUID.randomUUID().toString(), prompts, n, sweep);
        burst(e, isl, osl, n, Phase.PROFILING, UUID.randomUUID().toString(), prompts, n, sweep);
    }

    private void burst(final Endpoint e, final int isl, final int osl, final int concurrency, final Phase phase,
                       final String runId, final List<Long> prompts, final int inFlight, final Sweep sweep) {
        driver.burst(e, isl, osl, prompts, concurrency, m -> {
            if (phase == Phase.PROFILING) {
                errors.add(e.role(), m);
                tally.add(pointName(e, isl, inFlight), m, isl);
            }
            final LatencySample s = sample(e, m, phase, runId, inFlight, isl, osl, workerId);
            s.getLoad().setSweep(sweep);
            publisher.publish(s);
        });
    }

    private List<Long> freshPrompts(final int n) {
        final List<Long> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            out.add(random.nextLong());
        }
        return out;
    }

    /** The sample of one request the worker measured at a planned point (BENCHMARK, or SIMULATED). */
    public static LatencySample sample(final Endpoint e, final Measurement m, final Phase phase, final String runId,
                                       final int inFlight, final int isl, final int osl, final String workerId) {
        return sample(e, m, phase, runId, inFlight, isl, osl, workerId,
            e.simulated() ? SourceKind.SIMULATED : SourceKind.BENCHMARK);
    }

    /** The sample of one measured request, from a source of {@code kind}. */
    public static LatencySample sample(final Endpoint e, final Measurement m, final Phase phase, final String runId,
                                       final int inFlight, final int isl, final int osl, final String workerId,
                                       final SourceKind kind) {
        final StatusCode code = m.ok() ? StatusCode.OK : m.cancelled() ? StatusCode.CANCELLED : StatusCode.ERROR;
        return LatencySample.newBuilder()
            .setEventId(UUID.randomUUID().toString())
            .setEventTimeUs(m.endEpochUs())
            .setSource(new SampleSource(kind, workerId, runId))
            .setPhase(phase)
            .setDeployment(e.deployment())
            .setRole(e.role())
            .setMapping(e.mapping())
            .setLoad(new Load(inFlight, bucketIsl(m, isl), osl, Sweep.UNPLANNED))
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

    /**
     * The ISL a sample is bucketed at: the requested one, unless the engine counted the prompt over 1 % off it
     * ({@code usage.prompt_tokens}); then the engine's count, so a profile is never labelled with a load it did not
     * get.
     */
    static int bucketIsl(final Measurement m, final int isl) {
        return m.ok() && PointTally.offLength(isl, m.inputTokens()) && m.inputTokens() > 0
            ? (int) Math.min(Integer.MAX_VALUE, m.inputTokens()) : isl;
    }

    @Override
    public void close() {
        driver.close();
    }
}
