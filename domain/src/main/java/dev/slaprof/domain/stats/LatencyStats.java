package dev.slaprof.domain.stats;

import dev.slaprof.schema.avro.LatencySample;
import dev.slaprof.schema.avro.MappingLoadStats;
import dev.slaprof.schema.avro.MetricStats;
import dev.slaprof.schema.avro.Phase;
import dev.slaprof.schema.avro.RunStats;
import dev.slaprof.schema.avro.SourceKind;
import dev.slaprof.schema.avro.StatusCode;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.HdrHistogram.Histogram;

/**
 * Statistics of one bucket: Welford mean/variance and an HdrHistogram (microseconds, 3 significant digits) for TTFT
 * and ITL, token totals, and the last {@link #MAX_RUNS} benchmark runs. State is bounded: the histograms have a
 * fixed range (1 us to 1 h), the run list a fixed length. Works on the Avro value in place.
 */
public final class LatencyStats {
    /** Benchmark runs kept per bucket. */
    public static final int MAX_RUNS = 8;
    /** Highest trackable latency, microseconds (1 hour). */
    public static final long MAX_US = SparseHistogram.MAX_US;

    private LatencyStats() {
    }

    /** An empty bucket for the sample's key. */
    public static MappingLoadStats empty(final LatencySample s, final int inFlight, final int isl) {
        return MappingLoadStats.newBuilder().setDeployment(s.getDeployment()).setRole(s.getRole())
            .setMapping(s.getMapping()).setInFlight(inFlight).setIsl(isl).setOkCount(0).setWarmupCount(0)
            .setFailedCount(0).setTtft(emptyMetric()).setItl(emptyMetric()).setInputTokens(0).setOutputTokens(0)
            .setRuns(new ArrayList<>()).setFirstEventUs(Long.MAX_VALUE).setLastEventUs(0).setSimulated(false)
            .setPlanned(Keys.planned(s)).setOsl(Keys.oslBucket(s)).setSweep(Keys.sweep(s)).build();
    }

    private static MetricStats emptyMetric() {
        return new MetricStats(0L, 0.0, 0.0, Double.MAX_VALUE, 0.0, 0.0, 0.0, 0.0, 0.0, ByteBuffer.allocate(0));
    }

    /** Adds one sample; warmup and failed samples are only counted. Returns the same (mutated) object. */
    public static MappingLoadStats add(final MappingLoadStats st, final LatencySample s) {
        return add(st, s, null, null);
    }

    /**
     * Adds one sample, counting its latencies into the given in-memory histograms instead of the packed ones (null:
     * the packed one); the caller then owns bringing the packed histograms up to date ({@link DenseCounts#pack})
     * before the bucket is written or read.
     */
    public static MappingLoadStats add(final MappingLoadStats st, final LatencySample s, final DenseCounts ttft,
                                       final DenseCounts itl) {
        st.setFirstEventUs(Math.min(st.getFirstEventUs(), s.getEventTimeUs()));
        st.setLastEventUs(Math.max(st.getLastEventUs(), s.getEventTimeUs()));
        if (s.getSource().getKind() == SourceKind.SIMULATED) {
            st.setSimulated(true);
        }
        if (s.getPhase() == Phase.WARMUP) {
            st.setWarmupCount(st.getWarmupCount() + 1);
            return st;
        }
        if (s.getStatus().getCode() != StatusCode.OK) {
            st.setFailedCount(st.getFailedCount() + 1);
            return st;
        }
        st.setOkCount(st.getOkCount() + 1);
        st.setInputTokens(st.getInputTokens() + s.getInputTokens());
        st.setOutputTokens(st.getOutputTokens() + s.getOutputTokens());
        record(st.getTtft(), s.getTtftMs(), ttft);
        if (s.getItlMs() != null) {
            record(st.getItl(), s.getItlMs(), itl);
        }
        if (s.getSource().getRunId() != null) {
            addRun(st.getRuns(), s);
        }
        return st;
    }

    private static void record(final MetricStats m, final double ms, final DenseCounts dense) {
        final long n = m.getCount() + 1;
        final double delta = ms - m.getMeanMs();
        final double mean = m.getMeanMs() + delta / n;
        m.setCount(n);
        m.setMeanMs(mean);
        m.setM2(m.getM2() + delta * (ms - mean));
        m.setMinMs(Math.min(m.getMinMs(), ms));
        m.setMaxMs(Math.max(m.getMaxMs(), ms));
        if (dense != null) {
            dense.add(Math.round(ms * 1000));
            return;
        }
        final byte[] before = packed(m);
        final byte[] after = SparseHistogram.addInPlace(owned(m, before), Math.round(ms * 1000));
        if (after != before || m.getHistogram() == null) {
            m.setHistogram(ByteBuffer.wrap(after));
        }
    }

    /**
     * The histogram array to update in place: {@code bytes} itself when it is the whole backing array of the
     * metric's buffer (the metric owns it), else a copy the metric then takes over.
     */
    private static byte[] owned(final MetricStats m, final byte[] bytes) {
        final ByteBuffer b = m.getHistogram();
        if (b != null && b.hasArray() && b.array() == bytes && !b.isReadOnly()) {
            return bytes;
        }
        final byte[] copy = bytes.clone();
        m.setHistogram(ByteBuffer.wrap(copy));
        return copy;
    }

    /** The packed histogram of a metric (the array itself when the metric owns it). */
    public static byte[] packed(final MetricStats m) {
        final ByteBuffer b = m.getHistogram();
        if (b == null || !b.hasRemaining()) {
            return new byte[0];
        }
        if (b.hasArray() && b.arrayOffset() == 0 && b.position() == 0 && b.remaining() == b.array().length) {
            return b.array();
        }
        final byte[] out = new byte[b.remaining()];
        b.duplicate().get(out);
        return out;
    }

    /**
     * Brings the p50/p90/p95/p99 fields up to date from the histograms, by AIPerf's definition (linear
     * interpolation between the sorted values, as numpy's default). Recording leaves them stale (the
     * percentile scan over the counts is the costly part), so snapshots are refreshed where they are emitted or
     * read.
     */
    public static MappingLoadStats refreshPercentiles(final MappingLoadStats st) {
        refresh(st.getTtft());
        refresh(st.getItl());
        return st;
    }

    private static void refresh(final MetricStats m) {
        if (m.getCount() == 0) {
            return;
        }
        // AIPerf's (numpy's linear) definition, so a bucket's percentiles equal AIPerf's summary of the same requests.
        final double[] p = SparseHistogram.linearPercentiles(packed(m), 50, 90, 95, 99);
        m.setP50Ms(p[0] / 1000.0);
        m.setP90Ms(p[1] / 1000.0);
        m.setP95Ms(p[2] / 1000.0);
        m.setP99Ms(p[3] / 1000.0);
    }

    /** The histogram of a metric (microseconds). */
    public static Histogram histogram(final MetricStats m) {
        return SparseHistogram.toHistogram(packed(m));
    }

    private static void addRun(final List<RunStats> runs, final LatencySample s) {
        final String id = s.getSource().getRunId();
        for (final RunStats r : runs) {
            if (r.getRunId().equals(id)) {
                r.setFirstStartUs(Math.min(r.getFirstStartUs(), s.getRequestStartUs()));
                r.setLastEndUs(Math.max(r.getLastEndUs(), s.getRequestEndUs()));
                r.setOutputTokens(r.getOutputTokens() + s.getOutputTokens());
                r.setRequests(r.getRequests() + 1);
                return;
            }
        }
        runs.add(new RunStats(id, s.getRequestStartUs(), s.getRequestEndUs(), (long) s.getOutputTokens(), 1L));
        if (runs.size() > MAX_RUNS) {
            runs.remove(0);
        }
    }

    /**
     * The statistics of two disjoint sample sets of one bucket as one (a new object): counts and token sums add,
     * means and M2 combine by Chan et al.'s parallel formula, histograms add class by class, the most recent runs are
     * kept. Used to join an older and a newer generation under an ageing horizon.
     */
    public static MappingLoadStats merge(final MappingLoadStats older, final MappingLoadStats newer) {
        final MappingLoadStats m = MappingLoadStats.newBuilder(newer).build();
        m.setOkCount(older.getOkCount() + newer.getOkCount());
        m.setWarmupCount(older.getWarmupCount() + newer.getWarmupCount());
        m.setFailedCount(older.getFailedCount() + newer.getFailedCount());
        m.setInputTokens(older.getInputTokens() + newer.getInputTokens());
        m.setOutputTokens(older.getOutputTokens() + newer.getOutputTokens());
        m.setTtft(merge(older.getTtft(), newer.getTtft()));
        m.setItl(merge(older.getItl(), newer.getItl()));
        final List<RunStats> runs = new ArrayList<>(older.getRuns());
        for (final RunStats r : newer.getRuns()) {
            runs.removeIf(x -> x.getRunId().equals(r.getRunId()));
            runs.add(r);
        }
        m.setRuns(new ArrayList<>(runs.subList(Math.max(0, runs.size() - MAX_RUNS), runs.size())));
        m.setFirstEventUs(Math.min(older.getFirstEventUs(), newer.getFirstEventUs()));
        m.setLastEventUs(Math.max(older.getLastEventUs(), newer.getLastEventUs()));
        m.setSimulated(older.getSimulated() || newer.getSimulated());
        return m;
    }

    private static MetricStats merge(final MetricStats a, final MetricStats b) {
        final long n = a.getCount() + b.getCount();
        if (a.getCount() == 0 || b.getCount() == 0) {
            final MetricStats only = a.getCount() == 0 ? b : a;
            return MetricStats.newBuilder(only).build();
        }
        final double delta = b.getMeanMs() - a.getMeanMs();
        final double mean = a.getMeanMs() + delta * b.getCount() / n;
        final double m2 = a.getM2() + b.getM2() + delta * delta * ((double) a.getCount() * b.getCount() / n);
        final MetricStats m = new MetricStats(n, mean, m2, Math.min(a.getMinMs(), b.getMinMs()),
            Math.max(a.getMaxMs(), b.getMaxMs()), 0.0, 0.0, 0.0, 0.0,
            ByteBuffer.wrap(SparseHistogram.merge(packed(a), packed(b))));
        refresh(m);
        return m;
    }

    /** Sample standard deviation of a metric, ms (0 below two observations). */
    public static double stddev(final MetricStats m) {
        return m.getCount() < 2 ? 0 : Math.sqrt(m.getM2() / (m.getCount() - 1));
    }
}
