package dev.slaprof.domain.recommend;

import static dev.slaprof.domain.recommend.ModeRows.firstPer;
import static dev.slaprof.domain.recommend.ModeRows.round3;
import static dev.slaprof.domain.recommend.ModeRows.top;

import dev.slaprof.schema.avro.ModePick;
import dev.slaprof.schema.avro.PerfPoint;
import dev.slaprof.schema.avro.PickingMode;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;

/**
 * Dynamo 1.x's autoscale mode: prefill rows with 1.8 x TTFT strictly under the target and decode rows with ITL
 * strictly under it, best per mapping by seq/s/GPU, top 5 each, then every pair ranked by tokens/s/GPU (rounded to 3
 * decimals, as Dynamo compares them); one worker each, as the planner scales them.
 */
final class AutoscaleMode {
    private AutoscaleMode() {
    }

    static ModePick pick(final PickingModes.Targets t, final List<PerfPoint> prefill, final List<PerfPoint> decode) {
        final List<Integer> pOk = new ArrayList<>();
        for (int i = 0; i < prefill.size(); i++) {
            if (PickingModes.TTFT_CORRECTION * prefill.get(i).getLatencyMs() < t.ttftMs()) {
                pOk.add(i);
            }
        }
        final boolean prefillMeets = !pOk.isEmpty();
        final List<Integer> pRows = keptPrefill(prefill, prefillMeets ? pOk : indices(prefill.size()), prefillMeets);
        final List<Integer> dOk = new ArrayList<>();
        for (int i = 0; i < decode.size(); i++) {
            if (decode.get(i).getLatencyMs() < t.itlMs()) {
                dOk.add(i);
            }
        }
        final boolean decodeMeets = !dOk.isEmpty();
        final List<Integer> dRows = keptDecode(decode, decodeMeets ? dOk : indices(decode.size()), decodeMeets,
            t.osl());
        final List<PairRow> rows = new ArrayList<>();
        for (final int p : pRows) {
            for (final int d : dRows) {
                final PairRow r = PairRow.of(p, d, prefill.get(p), decode.get(d),
                    round3(PickingModes.TTFT_CORRECTION * prefill.get(p).getLatencyMs()), t.osl());
                rows.add(r.deployed(1, round3(r.tokensPerGpu())).judged(prefillMeets && decodeMeets));
            }
        }
        // Equal tokens/s/GPU stay in sweep order.
        rows.sort(Comparator.comparingDouble((PairRow r) -> -r.cluster()));
        final List<PairRow> kept = top(rows);
        final PairRow best = kept.get(0);
        final String reason;
        if (best.meets()) {
            reason = String.format(Locale.ROOT, "autoscale: highest tokens/s/GPU (%.3f) of a 1P1D unit with 1.8 x "
                + "TTFT %.3f < %.1f ms and ITL %.3f < %.1f ms; the planner scales the workers", best.cluster(),
                best.ttftMs(), t.ttftMs(), best.tpotMs(), t.itlMs());
        } else {
            reason = "autoscale: nothing meets the SLA"
                + (prefillMeets ? "" : String.format(Locale.ROOT, "; the lowest corrected TTFT is %.3f ms against %.1f",
                    PickingModes.TTFT_CORRECTION * lowest(prefill), t.ttftMs()))
                + (decodeMeets ? "" : String.format(Locale.ROOT, "; the lowest ITL is %.3f ms against %.1f",
                    lowest(decode), t.itlMs()))
                + "; closest configuration picked";
        }
        return ModeRows.result(PickingMode.AUTOSCALE, "ttft+tpot", kept, best.meets(), null, reason);
    }

    private static double lowest(final List<PerfPoint> points) {
        return points.stream().mapToDouble(PerfPoint::getLatencyMs).min().orElse(Double.NaN);
    }

    private static List<Integer> indices(final int n) {
        final List<Integer> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(i);
        }
        return out;
    }

    private static List<Integer> keptPrefill(final List<PerfPoint> prefill, final List<Integer> idx,
                                             final boolean meets) {
        final List<Integer> sorted = new ArrayList<>(idx);
        final Comparator<Integer> bySeq = Comparator.comparingDouble(
            (Integer i) -> -PickingModes.prefillSeqPerS(prefill.get(i)) / prefill.get(i).getMapping().getGpus())
            .thenComparingInt(i -> Math.max(1, prefill.get(i).getMapping().getAttnDp()));
        sorted.sort(meets ? bySeq : Comparator.comparingDouble((Integer i) -> prefill.get(i).getLatencyMs())
            .thenComparing(bySeq));
        final List<Integer> first = firstPer(sorted, i -> prefill.get(i).getLabel());
        return first.subList(0, Math.min(PickingModes.TOP_N, first.size()));
    }

    private static List<Integer> keptDecode(final List<PerfPoint> decode, final List<Integer> idx, final boolean meets,
                                            final int osl) {
        final List<Integer> sorted = new ArrayList<>(idx);
        final Comparator<Integer> bySeq = Comparator.comparingDouble(
            (Integer i) -> -PickingModes.decodeSeqPerS(decode.get(i), osl) / decode.get(i).getMapping().getGpus())
            .thenComparingInt(i -> decode.get(i).getInFlight());
        sorted.sort(meets ? bySeq : Comparator.comparingDouble((Integer i) -> decode.get(i).getLatencyMs())
            .thenComparing(bySeq));
        final List<Integer> first = firstPer(sorted, i -> decode.get(i).getLabel());
        return first.subList(0, Math.min(PickingModes.TOP_N, first.size()));
    }
}
