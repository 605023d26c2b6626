package dev.slaprof.accuracy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** The accuracy run's table (per group, slaprof beside AI Configurator) and its JSON. */
public final class AccuracyReport {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final List<RowReplay.Estimate> estimates;
    private final List<SiliconCsv.Problem> problems;
    private final Map<String, AicRows.Answer> aic;
    private final List<Accuracy.Group> groups;
    private final double seconds;

    public AccuracyReport(final List<RowReplay.Estimate> estimates, final List<SiliconCsv.Problem> problems,
                          final Map<String, AicRows.Answer> aic, final double seconds) {
        this.estimates = estimates;
        this.problems = problems;
        this.aic = aic;
        this.seconds = seconds;
        final Map<String, double[]> ok = new LinkedHashMap<>();
        aic.forEach((id, a) -> {
            if (a.error() == null && a.ttftMs() > 0 && a.tpotMs() > 0) {
                ok.put(id, new double[] {a.ttftMs(), a.tpotMs()});
            }
        });
        this.groups = Accuracy.groups(estimates, ok);
    }

    public List<Accuracy.Group> groups() {
        return groups;
    }

    /** Rows replayed. */
    public long replayed() {
        return estimates.stream().filter(RowReplay.Estimate::replayed).count();
    }

    public void print(final PrintStream out, final int total) {
        final boolean withAic = !aic.isEmpty();
        out.printf(Locale.ROOT, "%-62s %5s %5s %17s %17s%s%n", "model | system | backend | precision | mode", "rows",
            "knee+", "TTFT/TPOT err %", "past knee err %", withAic ? "    on AIC rows: slaprof  AIC (TTFT/TPOT %)" : "");
        for (final Accuracy.Group g : groups) {
            out.printf(Locale.ROOT, "%-62s %5d %5d %8s/%-8s %8s/%-8s", trim(g.key(), 62), g.rows(), g.pastKnee(),
                pct(g.ttftMape()), pct(g.tpotMape()), pct(g.kneeTtftMape()), pct(g.kneeTpotMape()));
            if (withAic) {
                out.printf(Locale.ROOT, "  %4d: %7s/%-7s %7s/%-7s", g.aicRows(), pct(g.ownTtftOnAic()),
                    pct(g.ownTpotOnAic()), pct(g.aicTtftMape()), pct(g.aicTpotMape()));
            }
            out.println();
        }
        final double[] below = Accuracy.overall(estimates, false);
        final double[] past = Accuracy.overall(estimates, true);
        out.printf(Locale.ROOT, "%naccuracy: replayed %d of %d rows in %.1f s; below the knee %d rows, TTFT %.1f %% TPOT "
            + "%.1f %%; past it %d rows, TTFT %.1f %% TPOT %.1f %%%n", replayed(), total, seconds, (int) below[2],
            below[0], below[1], (int) past[2], past[0], past[1]);
        final List<PickAgreement.Group> picks = PickAgreement.groups(estimates);
        out.printf(Locale.ROOT, "accuracy: picks: in %d of %d groups with three or more mappings at one ISL/OSL, "
            + "slaprof's best mapping in tokens/s/GPU under the group's median TPOT is the measurements' best%n",
            picks.stream().filter(PickAgreement.Group::agrees).count(), picks.size());
        final Map<String, Integer> skipped = Accuracy.skipped(estimates);
        if (!skipped.isEmpty() || !problems.isEmpty()) {
            out.println("accuracy: skipped rows by reason:");
            skipped.forEach((k, v) -> out.printf(Locale.ROOT, "  %5d  %s%n", v, k));
            if (!problems.isEmpty()) {
                out.printf(Locale.ROOT, "  %5d  refused while reading%s:%n", problems.size(),
                    problems.size() > 20 ? " (the first 20; --json lists every one)" : "");
                problems.stream().limit(20).forEach(p -> out.println("         " + p));
            }
        }
    }

    private static String trim(final String s, final int n) {
        return s.length() <= n ? s : s.substring(0, n - 1) + "~";
    }

    private static String pct(final double v) {
        return Double.isNaN(v) ? "-" : String.format(Locale.ROOT, "%.1f", v);
    }

    /** The JSON the format names: groups, every replayed row, skipped rows by reason. */
    public ObjectNode json() {
        final ObjectNode root = JSON.createObjectNode();
        final ArrayNode gs = root.putArray("groups");
        for (final Accuracy.Group g : groups) {
            final ObjectNode o = gs.addObject().put("group", g.key()).put("model", g.model()).put("system", g.system())
                .put("backend", g.backend()).put("precision", g.precision()).put("mode", g.mode())
                .put("rows", g.rows()).put("past_knee_rows", g.pastKnee());
            num(o, "ttft_mape", g.ttftMape());
            num(o, "tpot_mape", g.tpotMape());
            num(o, "past_knee_ttft_mape", g.kneeTtftMape());
            num(o, "past_knee_tpot_mape", g.kneeTpotMape());
            o.put("aic_rows", g.aicRows());
            num(o, "aic_ttft_mape", g.aicTtftMape());
            num(o, "aic_tpot_mape", g.aicTpotMape());
            num(o, "slaprof_ttft_mape_on_aic_rows", g.ownTtftOnAic());
            num(o, "slaprof_tpot_mape_on_aic_rows", g.ownTpotOnAic());
        }
        final ArrayNode rows = root.putArray("rows");
        for (final RowReplay.Estimate e : estimates) {
            if (e.replayed()) {
                final ObjectNode o = rows.addObject().put("id", e.row().id()).put("ttft_ms", e.row().ttftMs())
                    .put("tpot_ms", e.row().tpotMs()).put("group", e.row().group());
                num(o, "ttft_ms_est", e.ttftMs());
                num(o, "tpot_ms_est", e.tpotMs());
                o.put("past_knee", e.kvLimited());
                final AicRows.Answer a = aic.get(e.row().id());
                if (a != null && a.error() == null) {
                    o.put("aic_ttft_ms", a.ttftMs()).put("aic_tpot_ms", a.tpotMs());
                }
            }
        }
        final List<PickAgreement.Group> picks = PickAgreement.groups(estimates);
        final ObjectNode pk = root.putObject("picks");
        pk.put("groups", picks.size()).put("agree", picks.stream().filter(PickAgreement.Group::agrees).count());
        pk.set("detail", JSON.valueToTree(picks));
        root.set("skipped", JSON.valueToTree(Accuracy.skipped(estimates)));
        final List<String> refused = new ArrayList<>();
        problems.forEach(p -> refused.add(p.toString()));
        root.set("refused", JSON.valueToTree(refused));
        final Map<String, Integer> aicErrors = new LinkedHashMap<>();
        aic.values().stream().filter(a -> a.error() != null)
            .forEach(a -> aicErrors.merge(a.error().replaceAll(" at /.*", ""), 1, Integer::sum));
        root.set("aic_refused", JSON.valueToTree(aicErrors));
        root.put("seconds", seconds);
        return root;
    }

    private static void num(final ObjectNode o, final String k, final double v) {
        if (Double.isFinite(v)) {
            o.put(k, v);
        } else {
            o.putNull(k);
        }
    }
}
