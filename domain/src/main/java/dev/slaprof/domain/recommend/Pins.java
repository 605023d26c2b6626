package dev.slaprof.domain.recommend;

import dev.slaprof.schema.avro.PerfPoint;
import dev.slaprof.schema.avro.Pick;
import dev.slaprof.schema.avro.PinnedChoice;
import java.util.List;
import java.util.Locale;

/**
 * Resolves a user's pin (from the compacted {@code selections} topic) against the current points. A pinned side is
 * used as chosen even when it misses the SLA (it is then marked infeasible, with the reason); a pin whose mapping
 * has no point yet returns null and the automatic pick stands.
 */
final class Pins {
    private Pins() {
    }

    /** The pinned prefill point, or null when the pin leaves prefill automatic or names no existing point. */
    static Pick prefill(final List<PerfPoint> points, final PinnedChoice pin, final double ttftTarget, final int isl,
                        final List<String> warnings) {
        if (pin.getPrefillLabel() == null) {
            return null;
        }
        for (final PerfPoint p : points) {
            if (p.getLabel().equals(pin.getPrefillLabel())) {
                return pick(p, p.getLatencyMs() <= ttftTarget, "TTFT", ttftTarget, pin);
            }
        }
        warnings.add("Pinned prefill mapping " + pin.getPrefillLabel() + " has no point at ISL " + isl
            + " yet; the automatic prefill pick stands");
        return null;
    }

    /**
     * The pinned decode point: the pinned in-flight point of the pinned mapping, or, with no in-flight given, its
     * highest thpt/GPU point within the ITL target (else its lowest ITL).
     */
    static Pick decode(final List<PerfPoint> points, final PinnedChoice pin, final double itlTarget,
                       final List<String> warnings) {
        if (pin.getDecodeLabel() == null) {
            return null;
        }
        PerfPoint best = null;
        for (final PerfPoint p : points) {
            if (!p.getLabel().equals(pin.getDecodeLabel())) {
                continue;
            }
            if (pin.getDecodeInFlight() != null) {
                if (p.getInFlight() == pin.getDecodeInFlight()) {
                    best = p;
                    break;
                }
            } else if (best == null || better(p, best, itlTarget)) {
                best = p;
            }
        }
        if (best == null) {
            warnings.add("Pinned decode point " + pin.getDecodeLabel() + (pin.getDecodeInFlight() == null ? ""
                : " at " + pin.getDecodeInFlight() + " in flight") + " has no data yet; the automatic decode pick "
                + "stands");
            return null;
        }
        return pick(best, best.getLatencyMs() <= itlTarget, "ITL", itlTarget, pin);
    }

    private static boolean better(final PerfPoint p, final PerfPoint best, final double target) {
        final boolean ok = p.getLatencyMs() <= target;
        final boolean bestOk = best.getLatencyMs() <= target;
        if (ok != bestOk) {
            return ok;
        }
        return ok ? p.getThptPerGpu() > best.getThptPerGpu() : p.getLatencyMs() < best.getLatencyMs();
    }

    private static Pick pick(final PerfPoint p, final boolean feasible, final String metric, final double target,
                             final PinnedChoice pin) {
        final String who = pin.getPinnedBy() == null || pin.getPinnedBy().isEmpty() ? "a user" : pin.getPinnedBy();
        final String why = String.format(Locale.ROOT, "pinned by %s: %s %.2f ms %s %.2f ms target", who,
            metric, p.getLatencyMs(), feasible ? "<=" : "exceeds the", target);
        return new Pick(p, feasible, why, p.getThptMethod().startsWith("INTERPOLATED") ? "INTERPOLATED" : "BUCKET");
    }
}
