package dev.slaprof.domain.recommend;

import dev.slaprof.schema.avro.PerfPoint;
import dev.slaprof.schema.avro.Pick;
import dev.slaprof.schema.avro.Role;
import java.util.List;
import java.util.Locale;

/**
 * Dynamo's pick over points in sweep order, with slaprof's anti-flapping rule: once a point is picked, a
 * challenger replaces it only when its thpt/GPU beats the incumbent's by more than the sum of both points'
 * relative 95 % half-widths of latency (throughput is inversely proportional to latency), so noise alone cannot
 * flip the choice. Points with fewer than two samples carry no interval and follow Dynamo's rule exactly.
 */
public final class PickRule {
    private PickRule() {
    }

    /** Picks among {@code points} (already in sweep order); null when there are none. */
    public static Pick pick(final List<PerfPoint> points, final double target, final String metric,
                            final Pick incumbent, final List<String> warnings) {
        if (points.isEmpty()) {
            return null;
        }
        int best = -1;
        for (int i = 0; i < points.size(); i++) {
            final PerfPoint p = points.get(i);
            if (p.getLatencyMs() <= target && (best < 0 || p.getThptPerGpu() > points.get(best).getThptPerGpu())) {
                best = i;
            }
        }
        if (best < 0) {
            int lowest = 0;
            for (int i = 1; i < points.size(); i++) {
                if (points.get(i).getLatencyMs() < points.get(lowest).getLatencyMs()) {
                    lowest = i;
                }
            }
            final PerfPoint p = points.get(lowest);
            final String why = String.format(Locale.ROOT, "No engine configuration satisfies the %s requirement "
                + "(%.2f ms); the lowest %s is %s at %.2f ms", metric, target, metric, describe(p), p.getLatencyMs());
            warnings.add(why);
            return new Pick(p, false, why, p.getThptMethod().startsWith("INTERPOLATED") ? "INTERPOLATED" : "BUCKET");
        }
        PerfPoint chosen = points.get(best);
        String why = String.format(Locale.ROOT, "highest thpt/GPU (%.1f tokens/s/GPU) with %s %.2f ms <= %.2f ms",
            chosen.getThptPerGpu(), metric, chosen.getLatencyMs(), target);
        final PerfPoint kept = incumbent(points, incumbent, target);
        if (kept != null && kept != chosen && !beats(chosen, kept)) {
            why = String.format(Locale.ROOT, "kept %s: challenger %s (%.1f tokens/s/GPU) does not beat it (%.1f) "
                + "beyond the confidence intervals", describe(kept), describe(chosen), chosen.getThptPerGpu(),
                kept.getThptPerGpu());
            chosen = kept;
        }
        return new Pick(chosen, true, why, chosen.getThptMethod().startsWith("INTERPOLATED") ? "INTERPOLATED"
            : "BUCKET");
    }

    private static PerfPoint incumbent(final List<PerfPoint> points, final Pick incumbent, final double target) {
        if (incumbent == null || !incumbent.getFeasible()) {
            return null;
        }
        for (final PerfPoint p : points) {
            if (p.getLabel().equals(incumbent.getPoint().getLabel())
                && p.getInFlight() == incumbent.getPoint().getInFlight() && p.getLatencyMs() <= target) {
                return p;
            }
        }
        return null;
    }

    static boolean beats(final PerfPoint challenger, final PerfPoint incumbent) {
        if (challenger.getSamples() < 2 || incumbent.getSamples() < 2) {
            return challenger.getThptPerGpu() > incumbent.getThptPerGpu();
        }
        final double margin = relativeHalfWidth(challenger) + relativeHalfWidth(incumbent);
        return challenger.getThptPerGpu() > incumbent.getThptPerGpu() * (1 + margin);
    }

    private static double relativeHalfWidth(final PerfPoint p) {
        final double ciHalfWidthMs = p.getCiHighMs() - p.getLatencyMs();
        return Double.isFinite(ciHalfWidthMs) && p.getLatencyMs() > 0 ? ciHalfWidthMs / p.getLatencyMs() : 0;
    }

    private static String describe(final PerfPoint p) {
        return p.getRole() == Role.DECODE
            ? p.getLabel() + " at " + p.getInFlight() + " in flight" : p.getLabel();
    }
}
