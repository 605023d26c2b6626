package dev.slaprof.topology;

import dev.slaprof.domain.recommend.Recommender;
import dev.slaprof.domain.stats.Keys;
import dev.slaprof.domain.stats.LatencyStats;
import dev.slaprof.schema.avro.DeadLetter;
import dev.slaprof.schema.avro.Deployment;
import dev.slaprof.schema.avro.LatencySample;
import dev.slaprof.schema.avro.MappingLoadStats;
import dev.slaprof.schema.avro.PinnedChoice;
import dev.slaprof.schema.avro.Recommendation;
import dev.slaprof.schema.avro.RecommendationKey;
import dev.slaprof.schema.avro.SlaTarget;
import dev.slaprof.topology.store.ObjectBufferStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.metrics.Sensor;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The stateful heart of the topology, one instance per input partition (samples are keyed by deployment, so every
 * bucket of a deployment lives here and nothing is repartitioned): each valid sample updates its bucket in the
 * changelogged store at once (exactly-once with the input offsets); a wall-clock punctuation at most every
 * {@code rateLimit} emits the snapshots of the buckets that changed and recomputes the recommendations of the
 * deployments that changed, for every SLA profile. A change of the SLA profiles or of the pins (selections topic)
 * marks every deployment dirty.
 *
 * <p>Its parts: {@link BucketCache} (the per-sample lookups and the in-memory histograms of {@link LiveBucket}),
 * {@link Generations} (ageing under a horizon), {@link GlobalTables} (SLA profiles, pins, capacities); this class
 * keeps the flow: process, flush, recompute.
 */
final class ProfileProcessor implements Processor<byte[], LatencySample, SpecificRecord, SpecificRecord> {
    private static final Logger LOG = LoggerFactory.getLogger(ProfileProcessor.class);

    private final SlaTarget defaultSla;
    private Sensor recomputeFailures;
    private String faultProcessModel;
    private String faultRecomputeModel;
    private final Duration rateLimit;
    /** Ageing horizon, or null: samples are kept for ever. */
    private final Duration horizon;
    private Sensor aggregated;
    /** Samples aggregated since the sensor was last told (it is told at each flush, not per sample). */
    private long pendingSamples;
    /** Buckets changed since the last flush, by store id. */
    private final Set<String> dirtyBuckets = new LinkedHashSet<>();
    /** Deployments changed since the last flush, by id. */
    private final Set<String> dirty = new LinkedHashSet<>();
    private final Map<String, Deployment> deployments = new HashMap<>();
    private final BucketCache cache = new BucketCache();
    /** The bucket buffer under {@link #stats} (its generation says whether an object is still dirty). */
    private ObjectBufferStore<?, ?> buffer;
    /** Flushes so far: a bucket or deployment marked in the current period is already listed. */
    private long flushes;
    private ProcessorContext<SpecificRecord, SpecificRecord> context;
    private KeyValueStore<String, MappingLoadStats> stats;
    private Generations generations;
    private GlobalTables tables;
    private KeyValueStore<String, Recommendation> last;
    private int slaFingerprint;
    private int pinFingerprint;

    ProfileProcessor(final SlaTarget defaultSla, final Duration rateLimit, final Duration horizon) {
        this.defaultSla = defaultSla;
        this.rateLimit = rateLimit;
        this.horizon = horizon;
    }

    @Override
    public void init(final ProcessorContext<SpecificRecord, SpecificRecord> ctx) {
        this.context = ctx;
        this.stats = ctx.getStateStore(TopologyNames.BUCKET_STATS_STORE);
        this.buffer = ObjectBufferStore.find(stats);
        // The task (re)starts here: objects retained from before may be stale (restoration, standby replicas).
        buffer.reset();
        // Histograms are counted in memory (see LiveBucket) and packed into the bucket objects before they are written.
        buffer.beforeWrite(cache::syncAll);
        flushes = 0;
        cache.clear();
        dirtyBuckets.clear();
        dirty.clear();
        deployments.clear();
        this.tables = new GlobalTables(ctx, defaultSla);
        this.last = ctx.getStateStore(TopologyNames.RECOMMENDATION_STORE);
        this.aggregated = TopologyMetrics.batchSensor(ctx.metrics(), ctx.taskId().toString(), TopologyMetrics.SAMPLES);
        this.recomputeFailures = TopologyMetrics.sensor(ctx.metrics(), TopologyMetrics.RECOMPUTE_FAILURES);
        this.faultProcessModel = (String) ctx.appConfigs().get(TopologyNames.FAULT_PROCESS_MODEL_CONFIG);
        this.faultRecomputeModel = (String) ctx.appConfigs().get(TopologyNames.FAULT_RECOMPUTE_MODEL_CONFIG);
        this.pendingSamples = 0;
        try (KeyValueIterator<String, MappingLoadStats> it = stats.all()) {
            while (it.hasNext()) {
                final KeyValue<String, MappingLoadStats> kv = it.next();
                final String id = Keys.deploymentId(kv.value.getDeployment());
                deployments.putIfAbsent(id, kv.value.getDeployment());
                dirty.add(id);
            }
        }
        slaFingerprint = tables.profiles().hashCode();
        pinFingerprint = tables.pins().hashCode();
        ctx.schedule(rateLimit, PunctuationType.WALL_CLOCK_TIME, ts -> flush());
        if (horizon == null) {
            this.generations = Generations.forever(stats);
        } else {
            this.generations = Generations.under(horizon, stats, ctx.getStateStore(TopologyNames.BUCKET_PREVIOUS_STORE));
            final Duration every = Duration.ofMillis(Math.max(1000, horizon.toMillis() / 8));
            ctx.schedule(every, PunctuationType.WALL_CLOCK_TIME, this::expire);
        }
    }

    /**
     * Wall-clock ageing under a horizon: a bucket whose newest sample is older than the horizon is deleted (a
     * tombstone goes to the compacted statistics topic), an expired previous generation is dropped; the affected
     * deployments are recomputed at the next flush.
     */
    private void expire(final long nowMs) {
        final Generations.Expired expired = generations.expire(nowMs);
        expired.gone().forEach((id, st) -> {
            context.forward(new Record<>(Keys.statsKey(st), null, nowMs));
            dirtyBuckets.remove(id);
            dirty.add(Keys.deploymentId(st.getDeployment()));
        });
        expired.shrunk().forEach((id, st) -> {
            dirtyBuckets.add(id);
            dirty.add(Keys.deploymentId(st.getDeployment()));
        });
    }

    @Override
    public void process(final Record<byte[], LatencySample> r) {
        final LatencySample s = r.value();
        final Deployment d = s.getDeployment();
        if (faultProcessModel != null && faultProcessModel.equals(d.getModel())) {
            throw new IllegalStateException("injected fault (" + TopologyNames.FAULT_PROCESS_MODEL_CONFIG + "): a sample "
                + "of " + d.getModel());
        }
        final BucketCache.DeploymentBuckets of = cache.deploymentOf(d);
        if (of.markedFlush == -1) {
            // Never marked in a flush period yet: the deployment is new to this task instance (one map write each).
            deployments.putIfAbsent(of.id, d);
        }
        final int inFlight = Keys.inFlightBucket(s);
        final int isl = Keys.islBucket(s);
        final LiveBucket bucket = BucketCache.bucketOf(of, s, inFlight, isl);
        final MappingLoadStats old = generations.current(bucket, s);
        final MappingLoadStats st = old == null ? LatencyStats.empty(s, inFlight, isl) : old;
        if (bucket.stats != st) {
            bucket.adopt(st);
        }
        LatencyStats.add(st, s, bucket.ttft, bucket.itl);
        cache.markUnsynced(bucket);
        // The object is mutated in place: putting it once per buffer generation keeps it dirty until the commit,
        // and marking it once per flush period keeps it listed; no hash lookups for the samples in between.
        if (bucket.putGeneration != buffer.generation()) {
            stats.put(bucket.id, st);
            bucket.putGeneration = buffer.generation();
        }
        if (bucket.markedFlush != flushes) {
            dirtyBuckets.add(bucket.id);
            bucket.markedFlush = flushes;
        }
        if (of.markedFlush != flushes) {
            dirty.add(of.id);
            of.markedFlush = flushes;
        }
        pendingSamples++;
    }

    private void flush() {
        final long nowMs = System.currentTimeMillis();
        cache.syncAll();
        flushes++;
        countSamples();
        for (final String bucketId : dirtyBuckets) {
            final MappingLoadStats st = generations.view(bucketId, stats.get(bucketId));
            if (st != null) {
                LatencyStats.refreshPercentiles(st);
                context.forward(new Record<>(Keys.statsKey(st), st, nowMs));
            }
        }
        dirtyBuckets.clear();
        final Map<String, SlaTarget> profiles = tables.profiles();
        final Map<RecommendationKey, PinnedChoice> pins = tables.pins();
        if (profiles.hashCode() != slaFingerprint || pins.hashCode() != pinFingerprint) {
            slaFingerprint = profiles.hashCode();
            pinFingerprint = pins.hashCode();
            dirty.addAll(deployments.keySet());
        }
        if (dirty.isEmpty()) {
            return;
        }
        final Map<String, Long> capacities = tables.capacities();
        for (final String id : dirty) {
            final List<MappingLoadStats> buckets = new ArrayList<>();
            try (KeyValueIterator<String, MappingLoadStats> it = stats.prefixScan(id, new StringSerializer())) {
                while (it.hasNext()) {
                    final KeyValue<String, MappingLoadStats> kv = it.next();
                    buckets.add(LatencyStats.refreshPercentiles(generations.view(kv.key, kv.value)));
                }
            }
            final Deployment d = deployments.get(id);
            final Map<String, Long> caps = GlobalTables.capacitiesOf(capacities, d);
            for (final SlaTarget sla : profiles.values()) {
                final RecommendationKey key = new RecommendationKey(d, sla.getProfile());
                try {
                    recompute(id, d, sla, key, buckets, caps, pins.get(key), nowMs);
                } catch (final RuntimeException e) {
                    // One deployment's bad data or a bug in one recomputation must not stop the others: it keeps
                    // its last recommendation, and the failure is logged, counted and dead-lettered with the reason.
                    recomputeFailures.record();
                    LOG.error("recomputing {} / {} failed: {}", d.getModel(), sla.getProfile(), e.toString(), e);
                    context.forward(new Record<>(key, DeadLetter.newBuilder().setTopic(TopologyNames.PROFILE)
                        .setPartition(context.taskId().partition()).setOffset(-1)
                        .setReason("recomputation failed: " + e).setErrorClass(e.getClass().getName())
                        .setTimeUs(nowMs * 1000).build(), nowMs));
                }
            }
        }
        dirty.clear();
    }

    private void recompute(final String id, final Deployment d, final SlaTarget sla, final RecommendationKey key,
                           final List<MappingLoadStats> buckets, final Map<String, Long> caps, final PinnedChoice pin,
                           final long nowMs) {
        if (faultRecomputeModel != null && faultRecomputeModel.equals(d.getModel())) {
            throw new IllegalStateException("injected fault (" + TopologyNames.FAULT_RECOMPUTE_MODEL_CONFIG + ")");
        }
        final String lastKey = id + sla.getProfile();
        final Recommendation rec = Recommender.recommend(d, sla, buckets, caps, last.get(lastKey), pin, nowMs * 1000);
        tables.sweepCaps(d).forEach((mapping, cap) -> rec.getWarnings().add("The decode sweep of " + mapping + " was capped at "
            + cap + " requests in flight (--max-concurrency), below what its KV capacity and Dynamo's "
            + "2000 allow: its higher-concurrency points were not measured"));
        last.put(lastKey, rec);
        context.forward(new Record<>(key, rec, nowMs));
    }

    private void countSamples() {
        if (pendingSamples > 0) {
            aggregated.record(pendingSamples);
            pendingSamples = 0;
        }
    }

    @Override
    public void close() {
        countSamples();
        cache.syncAll();
        buffer.beforeWrite(null);
    }
}
