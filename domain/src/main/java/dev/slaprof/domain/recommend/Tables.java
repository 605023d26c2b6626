package dev.slaprof.domain.recommend;

import dev.slaprof.schema.Mappings;
import dev.slaprof.schema.avro.DecodeTable;
import dev.slaprof.schema.avro.MappingLoadStats;
import dev.slaprof.schema.avro.PerfPoint;
import dev.slaprof.schema.avro.PrefillTable;
import dev.slaprof.schema.avro.Role;
import dev.slaprof.schema.avro.Statistic;
import dev.slaprof.schema.avro.Sweep;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Dynamo's raw interpolation tables for the selected mappings: prefill over ISL; decode over
 * (x = (ISL + OSL/2)·n / max_kv_tokens, y = ISL + OSL/2), ISL-major then in-flight ascending. Once the mapping has
 * points of the in-depth interpolation sweep, a table holds exactly those (as Dynamo's does: no knot from the SLA
 * sweep); before that, and for unplanned traffic, it holds every bucket of the mapping.
 */
public final class Tables {
    /** The planner's spline needs at least 4 prefill points. */
    public static final int MIN_PREFILL_POINTS = 4;

    private Tables() {
    }

    /** Prefill table of a mapping. */
    public static PrefillTable prefill(final List<MappingLoadStats> stats, final String label, final Statistic stat) {
        final List<PerfPoint> pts = new ArrayList<>();
        for (final MappingLoadStats s : tableBuckets(stats, Role.PREFILL, label)) {
            if (s.getOkCount() > 0) {
                pts.add(PointBuilder.prefill(s, stat));
            }
        }
        pts.sort(Comparator.comparingInt(PerfPoint::getIsl));
        final List<Long> isl = new ArrayList<>();
        final List<Double> ttft = new ArrayList<>();
        final List<Double> thpt = new ArrayList<>();
        final List<Long> samples = new ArrayList<>();
        for (final PerfPoint p : pts) {
            if (!isl.isEmpty() && isl.get(isl.size() - 1) == p.getIsl()) {
                continue;
            }
            isl.add((long) p.getIsl());
            ttft.add(p.getLatencyMs());
            thpt.add(p.getThptPerGpu());
            samples.add(p.getSamples());
        }
        final boolean complete = isl.size() >= MIN_PREFILL_POINTS;
        return new PrefillTable(isl, ttft, thpt, samples, complete, complete ? ""
            : "only " + isl.size() + " prefill ISL points for " + label + "; the planner's cubic spline needs "
                + MIN_PREFILL_POINTS);
    }

    /** Decode table of a mapping, given the engine's KV capacity in tokens (0 when unknown). */
    public static DecodeTable decode(final List<MappingLoadStats> stats, final String label, final Statistic stat,
                                     final long maxKvTokens) {
        final List<MappingLoadStats> rows = new ArrayList<>();
        for (final MappingLoadStats s : tableBuckets(stats, Role.DECODE, label)) {
            if (s.getItl().getCount() > 0) {
                rows.add(s);
            }
        }
        rows.sort(Comparator.<MappingLoadStats>comparingDouble(PointBuilder::meanIsl)
            .thenComparingInt(MappingLoadStats::getInFlight));
        final List<Double> x = new ArrayList<>();
        final List<Double> y = new ArrayList<>();
        final List<Double> z = new ArrayList<>();
        final List<Double> t = new ArrayList<>();
        final List<Long> n = new ArrayList<>();
        for (final MappingLoadStats s : rows) {
            final PerfPoint p = PointBuilder.decode(s, stat);
            final double context = PointBuilder.meanIsl(s) + PointBuilder.meanOsl(s) / 2;
            x.add(maxKvTokens > 0 ? context * s.getInFlight() / maxKvTokens : 0.0);
            y.add(context);
            z.add(p.getLatencyMs());
            t.add(p.getThptPerGpu());
            n.add(p.getSamples());
        }
        String reason = "";
        if (maxKvTokens <= 0) {
            reason = "KV capacity of " + label + " unknown (no engine-capacity record)";
        } else if (x.size() < 3) {
            reason = "only " + x.size() + " decode points for " + label + "; a triangulation needs 3";
        } else if (collinear(x, y)) {
            reason = "all decode points of " + label + " lie on one line (one context length); no triangulation";
        }
        return new DecodeTable(x, y, z, t, n, maxKvTokens, reason.isEmpty(), reason);
    }

    /** The buckets of a mapping's table: its interpolation-sweep points when it has any, else all of them. */
    static List<MappingLoadStats> tableBuckets(final List<MappingLoadStats> stats, final Role role,
                                               final String label) {
        final List<MappingLoadStats> all = new ArrayList<>();
        final List<MappingLoadStats> interpolation = new ArrayList<>();
        for (final MappingLoadStats s : stats) {
            if (s.getRole() == role && Mappings.label(s.getMapping()).equals(label)) {
                all.add(s);
                if (s.getSweep() == Sweep.INTERPOLATION) {
                    interpolation.add(s);
                }
            }
        }
        return interpolation.isEmpty() ? all : interpolation;
    }

    private static boolean collinear(final List<Double> x, final List<Double> y) {
        final Set<Double> ys = new HashSet<>(y);
        if (ys.size() < 2) {
            return true;
        }
        final double x0 = x.get(0);
        final double y0 = y.get(0);
        for (int i = 1; i < x.size(); i++) {
            for (int j = i + 1; j < x.size(); j++) {
                final double cross = (x.get(i) - x0) * (y.get(j) - y0) - (y.get(i) - y0) * (x.get(j) - x0);
                if (Math.abs(cross) > 1e-12 * (1 + Math.abs(y.get(j)))) {
                    return false;
                }
            }
        }
        return true;
    }

    /** A decode table's columns as arrays: x (KV usage), y (context), ITL (ms), thpt/GPU. */
    public static double[][] columns(final DecodeTable t) {
        final int n = t.getZItl().size();
        final double[][] c = new double[4][n];
        for (int i = 0; i < n; i++) {
            c[0][i] = t.getXKvUsage().get(i);
            c[1][i] = t.getYContextLength().get(i);
            c[2][i] = t.getZItl().get(i);
            c[3][i] = t.getZThptPerGpu().get(i);
        }
        return c;
    }
}
