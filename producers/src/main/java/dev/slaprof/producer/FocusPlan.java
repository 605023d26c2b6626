package dev.slaprof.producer;

import dev.slaprof.schema.Confidence;
import dev.slaprof.schema.Mappings;
import dev.slaprof.schema.avro.Deployment;
import dev.slaprof.schema.avro.MappingLoadStats;
import dev.slaprof.schema.avro.MetricStats;
import dev.slaprof.schema.avro.Role;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Where continuous profiling should spend its next samples: the buckets of a deployment whose statistic is known
 * least precisely, by the relative half-width of the 95 % confidence interval of the mean of the latency that
 * decides them (TTFT for prefill, ITL for decode), {@code Z95 s / (sqrt(n) mean)} ({@link Confidence}). Buckets with fewer than two
 * samples have no interval and come first.
 */
public final class FocusPlan {
    /** Samples of a bucket that no longer need extra attention (half-width below this, relative). */
    public static final double PRECISE_ENOUGH = 0.01;

    /**
     * A bucket to re-measure.
     *
     * @param stats         its statistics
     * @param relativeWidth relative 95 % half-width (infinite below two samples)
     */
    public record Target(MappingLoadStats stats, double relativeWidth) {
    }

    /**
     * Widest first; ties (every one-sample bucket is infinitely wide) broken by the bucket's key, so the plan depends
     * on the statistics alone and never on the order a map or topic handed them over.
     */
    private static final Comparator<Target> WIDEST_FIRST = Comparator
        .comparingDouble(Target::relativeWidth).reversed()
        .thenComparing(t -> t.stats().getRole())
        .thenComparing(t -> Mappings.label(t.stats().getMapping()))
        .thenComparing(t -> t.stats().getSweep())
        .thenComparingInt(t -> t.stats().getIsl())
        .thenComparingInt(t -> t.stats().getOsl())
        .thenComparingInt(t -> t.stats().getInFlight());

    private FocusPlan() {
    }

    /** The relative 95 % half-width of a metric's mean; infinite below two samples. */
    public static double relativeWidth(final MetricStats m) {
        if (m.getCount() < 2 || m.getMeanMs() <= 0) {
            return Double.POSITIVE_INFINITY;
        }
        final double sd = Math.sqrt(m.getM2() / (m.getCount() - 1));
        return Confidence.halfWidth95(sd, m.getCount()) / m.getMeanMs();
    }

    /** The (at most) {@code k} least precise buckets of {@code deployment}, widest first; precise ones are left out. */
    public static List<Target> widest(final Iterable<MappingLoadStats> all, final Deployment deployment, final int k) {
        final List<Target> out = new ArrayList<>();
        for (final MappingLoadStats s : all) {
            if (!s.getDeployment().equals(deployment) || s.getOkCount() == 0) {
                continue;
            }
            final double w = relativeWidth(s.getRole() == Role.PREFILL ? s.getTtft() : s.getItl());
            if (w > PRECISE_ENOUGH) {
                out.add(new Target(s, w));
            }
        }
        out.sort(WIDEST_FIRST);
        return out.subList(0, Math.min(k, out.size()));
    }
}
