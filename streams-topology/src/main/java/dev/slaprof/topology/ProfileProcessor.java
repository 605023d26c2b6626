package dev.slaprof.topology;

import dev.slaprof.schema.avro.CapacityKey;
import dev.slaprof.schema.avro.DeadLetter;
import dev.slaprof.schema.avro.Deployment;
import dev.slaprof.schema.avro.EngineCapacity;
import dev.slaprof.schema.avro.LatencySample;
import dev.slaprof.schema.avro.MappingLoadStats;
import dev.slaprof.schema.avro.PinnedChoice;
import dev.slaprof.schema.avro.ProfileKey;
import dev.slaprof.schema.avro.Recommendation;
import dev.slaprof.schema.avro.RecommendationKey;
import dev.slaprof.schema.avro.Role;
import dev.slaprof.schema.avro.SlaTarget;
import dev.slaprof.schema.avro.Strategy;
import dev.slaprof.schema.avro.Sweep;
import dev.slaprof.topology.recommend.Recommender;
import dev.slaprof.topology.stats.DenseCounts;
import dev.slaprof.topology.stats.Keys;
import dev.slaprof.topology.stats.LatencyStats;
import dev.slaprof.topology.store.ObjectBufferStore;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.BiConsumer;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.metrics.Sensor;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;
import org.apache.kafka.streams.state.ValueAndTimestamp;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The stateful heart of the topology, one instance per input partition (samples are keyed by deployment, so every
 * bucket of a deployment lives here and nothing is repartitioned): each valid sample updates its bucket in the
 * changelogged store at once (exactly-once with the input offsets); a wall-clock punctuation at most every
 * {@code rateLimit} emits the snapshots of the buckets that changed and recomputes the recommendations of the
 * deployments that changed, for every SLA profile. A change of the SLA profiles or of the pins (selections topic)
 * marks every deployment dirty.
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
    private KeyValueStore<String, MappingLoadStats> previous;
    private Sensor aggregated;
    /** Samples aggregated since the sensor was last told (it is told at each flush, not per sample). */
    private long pendingSamples;
    private final Set<String> dirtyBuckets = new LinkedHashSet<>();
    private final Set<String> dirty = new LinkedHashSet<>();
    private final Map<String, Deployment> deployments = new HashMap<>();
    private final Map<Deployment, DeploymentBuckets> byDeployment = new HashMap<>();
    /** The bucket buffer under {@link #stats} (its generation says whether an object is still dirty). */
    private ObjectBufferStore<?, ?> buffer;
    /** Flushes so far: a bucket or deployment marked in the current period is already listed. */
    private long flushes;
    /** Buckets whose in-memory histograms hold counts their objects do not have yet. */
    private final List<Slot> unsynced = new ArrayList<>();
    private Deployment lastDeployment;
    private DeploymentBuckets lastBuckets;
    private ProcessorContext<SpecificRecord, SpecificRecord> context;
    private KeyValueStore<String, MappingLoadStats> stats;
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
        // Histograms are counted in memory (DenseCounts) and packed into the bucket objects before they are written.
        buffer.beforeWrite(this::syncAll);
        flushes = 0;
        unsynced.clear();
        dirtyBuckets.clear();
        dirty.clear();
        deployments.clear();
        byDeployment.clear();
        lastDeployment = null;
        lastBuckets = null;
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
        slaFingerprint = profiles().hashCode();
        pinFingerprint = pins().hashCode();
        ctx.schedule(rateLimit, PunctuationType.WALL_CLOCK_TIME, ts -> flush());
        if (horizon != null) {
            this.previous = ctx.getStateStore(TopologyNames.BUCKET_PREVIOUS_STORE);
            final Duration every = Duration.ofMillis(Math.max(1000, horizon.toMillis() / 8));
            ctx.schedule(every, PunctuationType.WALL_CLOCK_TIME, this::expire);
        }
    }

    /**
     * Under a horizon H a bucket holds two generations, each spanning at most H/2 of event time: the current one
     * (in the stats store) and the previous one. A sample more than H/2 after the current generation's first event
     * starts a new generation and the current becomes the previous (or is dropped when the gap exceeds H), so every
     * sample in the statistics is at most H older than the newest, and every sample younger than H/2 is in them.
     */
    private MappingLoadStats current(final Slot slot, final LatencySample s) {
        final String bucketId = slot.id;
        final MappingLoadStats cur = stats.get(bucketId);
        if (horizon == null || cur == null || cur.getFirstEventUs() == Long.MAX_VALUE) {
            return cur;
        }
        final long age = s.getEventTimeUs() - cur.getFirstEventUs();
        final long half = horizon.toNanos() / 2000;
        if (age < half) {
            return cur;
        }
        if (age < 2 * half) {
            if (slot.stats == cur) {
                sync(slot);
            }
            previous.put(bucketId, cur);
        } else {
            previous.delete(bucketId);
        }
        return null;
    }

    /** The bucket's statistics as published: both generations joined under a horizon. */
    private MappingLoadStats view(final String bucketId, final MappingLoadStats cur) {
        if (previous == null || cur == null) {
            return cur;
        }
        final MappingLoadStats prev = previous.get(bucketId);
        return prev == null ? cur : LatencyStats.merge(prev, cur);
    }

    /**
     * Wall-clock ageing under a horizon: a bucket whose newest sample is older than the horizon is deleted (a
     * tombstone goes to the compacted statistics topic), an expired previous generation is dropped; the affected
     * deployments are recomputed at the next flush.
     */
    private void expire(final long nowMs) {
        final long limitUs = (nowMs - horizon.toMillis()) * 1000;
        final List<String> gone = new ArrayList<>();
        try (KeyValueIterator<String, MappingLoadStats> it = stats.all()) {
            while (it.hasNext()) {
                final KeyValue<String, MappingLoadStats> kv = it.next();
                final MappingLoadStats prev = previous.get(kv.key);
                if (kv.value.getLastEventUs() < limitUs) {
                    gone.add(kv.key);
                    context.forward(new Record<>(Keys.statsKey(kv.value), null, nowMs));
                } else if (prev != null && prev.getLastEventUs() < limitUs) {
                    previous.delete(kv.key);
                    dirtyBuckets.add(kv.key);
                } else {
                    continue;
                }
                dirty.add(Keys.deploymentId(kv.value.getDeployment()));
            }
        }
        for (final String id : gone) {
            stats.delete(id);
            previous.delete(id);
            dirtyBuckets.remove(id);
        }
    }

    @Override
    public void process(final Record<byte[], LatencySample> r) {
        final LatencySample s = r.value();
        final Deployment d = s.getDeployment();
        if (faultProcessModel != null && faultProcessModel.equals(d.getModel())) {
            throw new IllegalStateException("injected fault (" + TopologyNames.FAULT_PROCESS_MODEL_CONFIG + "): a sample "
                + "of " + d.getModel());
        }
        DeploymentBuckets of = lastBuckets;
        if (of == null || !sameDeployment(d, lastDeployment)) {
            of = byDeployment.get(d);
            if (of == null) {
                of = new DeploymentBuckets(Keys.deploymentId(d));
                byDeployment.put(d, of);
                deployments.putIfAbsent(of.id, d);
            }
            lastDeployment = d;
            lastBuckets = of;
        }
        final int inFlight = Keys.inFlightBucket(s);
        final int isl = Keys.islBucket(s);
        final BucketRef ref = new BucketRef(s.getRole(), s.getMapping().getStrategy(), s.getMapping().getGpus(),
            inFlight, isl, Keys.oslBucket(s), Keys.sweep(s));
        Slot slot = of.slots.get(ref);
        if (slot == null) {
            slot = new Slot(Keys.bucketId(Keys.bucket(s)));
            of.slots.put(ref, slot);
        }
        final MappingLoadStats old = current(slot, s);
        final MappingLoadStats st = old == null ? LatencyStats.empty(s, inFlight, isl) : old;
        if (slot.stats != st) {
            slot.stats = st;
            slot.ttft = DenseCounts.of(LatencyStats.packed(st.getTtft()));
            slot.itl = DenseCounts.of(LatencyStats.packed(st.getItl()));
            slot.unsynced = false;
            slot.putGeneration = -1;
            slot.markedFlush = -1;
        }
        LatencyStats.add(st, s, slot.ttft, slot.itl);
        if (!slot.unsynced) {
            slot.unsynced = true;
            unsynced.add(slot);
        }
        // The object is mutated in place: putting it once per buffer generation keeps it dirty until the commit,
        // and marking it once per flush period keeps it listed; no hash lookups for the samples in between.
        if (slot.putGeneration != buffer.generation()) {
            stats.put(slot.id, st);
            slot.putGeneration = buffer.generation();
        }
        if (slot.markedFlush != flushes) {
            dirtyBuckets.add(slot.id);
            slot.markedFlush = flushes;
        }
        if (of.markedFlush != flushes) {
            dirty.add(of.id);
            of.markedFlush = flushes;
        }
        pendingSamples++;
    }

    /** Field-by-field equality (Avro's generic {@code equals} walks the schema; this runs per sample). */
    private static boolean sameDeployment(final Deployment a, final Deployment b) {
        return b != null && a.getBackend() == b.getBackend() && a.getModel().equals(b.getModel())
            && a.getGpuType().equals(b.getGpuType()) && a.getEngineVersion().equals(b.getEngineVersion())
            && a.getBackendVersion().equals(b.getBackendVersion());
    }

    /** A bucket's identity within its deployment, cheap to hash (no strings built per sample). */
    private record BucketRef(Role role, Strategy strategy, int gpus, int inFlight, int isl, int osl,
                             Sweep sweep) {
    }

    /**
     * A bucket as this processor updates it: its store id (built once), the object in the store and that object's
     * histograms as in-memory counts, packed into it by {@link #syncAll} before it is written or read.
     */
    private static final class Slot {
        final String id;
        MappingLoadStats stats;
        DenseCounts ttft;
        DenseCounts itl;
        boolean unsynced;
        /** Buffer generation in which the object was last put (it is dirty there until the next commit). */
        long putGeneration = -1;
        /** Flush period in which the bucket was last listed in {@code dirtyBuckets}. */
        long markedFlush = -1;

        Slot(final String id) {
            this.id = id;
        }
    }

    /** Packs the in-memory histograms of every bucket updated since the last time into the bucket objects. */
    private void syncAll() {
        for (final Slot slot : unsynced) {
            sync(slot);
        }
        unsynced.clear();
    }

    private static void sync(final Slot slot) {
        if (slot.unsynced) {
            slot.stats.getTtft().setHistogram(ByteBuffer.wrap(slot.ttft.pack()));
            slot.stats.getItl().setHistogram(ByteBuffer.wrap(slot.itl.pack()));
            slot.unsynced = false;
        }
    }

    /** The store ids of a deployment and its buckets, built once. */
    private static final class DeploymentBuckets {
        final String id;
        final Map<BucketRef, Slot> slots = new HashMap<>();
        /** Flush period in which the deployment was last listed in {@code dirty}. */
        long markedFlush = -1;

        DeploymentBuckets(final String id) {
            this.id = id;
        }
    }

    private void flush() {
        final long nowMs = System.currentTimeMillis();
        syncAll();
        flushes++;
        countSamples();
        for (final String bucketId : dirtyBuckets) {
            final MappingLoadStats st = view(bucketId, stats.get(bucketId));
            if (st != null) {
                LatencyStats.refreshPercentiles(st);
                context.forward(new Record<>(Keys.statsKey(st), st, nowMs));
            }
        }
        dirtyBuckets.clear();
        final Map<String, SlaTarget> profiles = profiles();
        final Map<RecommendationKey, PinnedChoice> pins = pins();
        if (profiles.hashCode() != slaFingerprint || pins.hashCode() != pinFingerprint) {
            slaFingerprint = profiles.hashCode();
            pinFingerprint = pins.hashCode();
            dirty.addAll(deployments.keySet());
        }
        if (dirty.isEmpty()) {
            return;
        }
        final Map<String, Long> capacities = capacities();
        for (final String id : dirty) {
            final List<MappingLoadStats> buckets = new ArrayList<>();
            try (KeyValueIterator<String, MappingLoadStats> it = stats.prefixScan(id, new StringSerializer())) {
                while (it.hasNext()) {
                    final KeyValue<String, MappingLoadStats> kv = it.next();
                    buckets.add(LatencyStats.refreshPercentiles(view(kv.key, kv.value)));
                }
            }
            final Deployment d = deployments.get(id);
            final Map<String, Long> caps = capacitiesOf(capacities, d);
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
        sweepCaps(d).forEach((mapping, cap) -> rec.getWarnings().add("The decode sweep of " + mapping + " was capped at "
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
        syncAll();
        buffer.beforeWrite(null);
    }

    private Map<String, SlaTarget> profiles() {
        final Map<String, SlaTarget> out = new LinkedHashMap<>();
        this.<ProfileKey, SlaTarget>forEachGlobal(TopologyNames.SLA_STORE, (k, v) -> out.put(k.getProfile(), v));
        if (out.isEmpty()) {
            out.put(defaultSla.getProfile(), defaultSla);
        }
        return out;
    }

    private Map<RecommendationKey, PinnedChoice> pins() {
        final Map<RecommendationKey, PinnedChoice> out = new HashMap<>();
        this.<RecommendationKey, PinnedChoice>forEachGlobal(TopologyNames.SELECTION_STORE, out::put);
        return out;
    }

    /** Decode sweep caps of a deployment's engines, by mapping label (only capped ones). */
    private Map<String, Integer> sweepCaps(final Deployment d) {
        final Map<String, Integer> out = new TreeMap<>();
        this.<CapacityKey, EngineCapacity>forEachGlobal(TopologyNames.CAPACITY_STORE, (k, v) -> {
            if (v.getDecodeSweepCap() > 0 && k.getDeployment().equals(d)) {
                out.put(k.getMapping(), v.getDecodeSweepCap());
            }
        });
        return out;
    }

    private Map<String, Long> capacities() {
        final Map<String, Long> out = new HashMap<>();
        this.<CapacityKey, EngineCapacity>forEachGlobal(TopologyNames.CAPACITY_STORE,
            (k, v) -> out.put(Keys.deploymentId(k.getDeployment()) + k.getMapping(), v.getMaxKvTokens()));
        return out;
    }

    /**
     * Visits the live (non-deleted) entries of a global table's store. Global stores are restored from their topics
     * as raw bytes, so an entry written with a schema this application cannot read surfaces here: it is skipped
     * (and logged once per recomputation) instead of killing the stream thread.
     */
    private <K, V> void forEachGlobal(final String store, final BiConsumer<K, V> visit) {
        final ReadOnlyKeyValueStore<K, ValueAndTimestamp<V>> s = context.getStateStore(store);
        int skipped = 0;
        try (KeyValueIterator<K, ValueAndTimestamp<V>> it = s.all()) {
            while (it.hasNext()) {
                final KeyValue<K, ValueAndTimestamp<V>> kv;
                try {
                    kv = it.next();
                } catch (final SerializationException e) {
                    skipped++;
                    continue;
                }
                if (kv.value != null && kv.value.value() != null) {
                    visit.accept(kv.key, kv.value.value());
                }
            }
        }
        if (skipped > 0) {
            LOG.warn("skipped {} undecodable entries of {}", skipped, store);
        }
    }

    private static Map<String, Long> capacitiesOf(final Map<String, Long> all, final Deployment d) {
        final String prefix = Keys.deploymentId(d);
        final Map<String, Long> out = new HashMap<>();
        all.forEach((k, v) -> {
            if (k.startsWith(prefix)) {
                out.put(k.substring(prefix.length()), v);
            }
        });
        return out;
    }
}
