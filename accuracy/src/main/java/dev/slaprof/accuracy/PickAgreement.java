package dev.slaprof.accuracy;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Does slaprof pick the mapping the measurements pick? For every group of aggregated rows of one model, system,
 * backend, precision, ISL and OSL that measured three or more mappings: under a TPOT target (the group's median
 * measured TPOT, so about half its points qualify), the mapping of the point with the most output tokens/s/GPU by the
 * measurements, against the mapping of the point with the most by slaprof's estimates of the same points.
 * Tokens/s/GPU of a point: concurrency x OSL / (TTFT + TPOT x (OSL - 1)) / GPUs.
 */
public final class PickAgreement {
    /**
     * One group's picks.
     *
     * @param group        model | system | backend | precision | ISLxOSL
     * @param mappings     mappings measured
     * @param tpotTargetMs the TPOT target, ms
     * @param measured     the measurements' best mapping (none when no point meets the target)
     * @param estimated    slaprof's best mapping
     */
    public record Group(String group, int mappings, double tpotTargetMs, String measured, String estimated) {
        public boolean agrees() {
            return measured.equals(estimated);
        }
    }

    private PickAgreement() {
    }

    static String mapping(final SiliconRow r) {
        final SiliconRow.Workers w = r.agg();
        return (w.dp() > 1 ? "DEP" : w.moeEp() > 1 ? "TEP" : "TP") + "=" + w.gpus();
    }

    static double tokensPerGpu(final SiliconRow r, final double ttftMs, final double tpotMs) {
        final double requestS = (ttftMs + tpotMs * (r.osl() - 1)) / 1000;
        return r.concurrency() * r.osl() / requestS / r.agg().gpus();
    }

    public static List<Group> groups(final List<RowReplay.Estimate> estimates) {
        final Map<String, List<RowReplay.Estimate>> by = new TreeMap<>();
        for (final RowReplay.Estimate e : estimates) {
            if (e.replayed() && !e.row().disaggregated() && Double.isFinite(e.tpotMs()) && Double.isFinite(e.ttftMs())) {
                by.computeIfAbsent(e.row().group() + " | " + e.row().isl() + "x" + e.row().osl(),
                    k -> new ArrayList<>()).add(e);
            }
        }
        final List<Group> out = new ArrayList<>();
        by.forEach((k, es) -> {
            final Set<String> maps = new HashSet<>();
            es.forEach(e -> maps.add(mapping(e.row())));
            if (maps.size() < 3) {
                return;
            }
            final double target = median(es.stream().mapToDouble(e -> e.row().tpotMs()).sorted().toArray());
            String bestMeasured = "none";
            String bestEstimated = "none";
            double m = -1;
            double s = -1;
            for (final RowReplay.Estimate e : es) {
                final SiliconRow r = e.row();
                if (r.tpotMs() <= target && tokensPerGpu(r, r.ttftMs(), r.tpotMs()) > m) {
                    m = tokensPerGpu(r, r.ttftMs(), r.tpotMs());
                    bestMeasured = mapping(r);
                }
                if (e.tpotMs() <= target && tokensPerGpu(r, e.ttftMs(), e.tpotMs()) > s) {
                    s = tokensPerGpu(r, e.ttftMs(), e.tpotMs());
                    bestEstimated = mapping(r);
                }
            }
            out.add(new Group(k, maps.size(), target, bestMeasured, bestEstimated));
        });
        return out;
    }

    private static double median(final double[] sorted) {
        final int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }
}
