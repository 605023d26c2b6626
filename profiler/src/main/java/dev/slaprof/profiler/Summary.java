package dev.slaprof.profiler;

import dev.slaprof.schema.avro.CostRow;
import dev.slaprof.schema.avro.ModePick;
import dev.slaprof.schema.avro.ModeRow;
import dev.slaprof.schema.avro.PerfPoint;
import dev.slaprof.schema.avro.Pick;
import dev.slaprof.schema.avro.Recommendation;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Locale;

/** The run's user-facing report, in the spirit of Dynamo profiler's log lines. */
public final class Summary {
    private Summary() {
    }

    /**
     * The answer first: one recommended deployment (the picking mode's engines, replicas, GPUs and tokens/s/GPU),
     * then Dynamo's per-role picks labelled as such, with one line saying why they differ when they do, then the
     * warnings. Without a mode pick (an imported profile), the per-role picks are the answer.
     */
    public static void picks(final PrintStream out, final Recommendation r) {
        final ModePick mode = r.getModePick();
        final boolean deployment = mode != null && !mode.getRows().isEmpty();
        if (deployment) {
            final ModeRow m = mode.getRows().get(0);
            out.printf(Locale.ROOT, "slaprof: recommended deployment: %d x %s prefill + %d x %s decode at %d in "
                + "flight, %s, %.1f tokens/s/GPU%s; %s%n", m.getPrefillReplicas(), m.getPrefillLabel(),
                m.getDecodeReplicas(), m.getDecodeLabel(), m.getDecodeInFlight(), plural(m.getTotalGpus(), "GPU"),
                m.getClusterTokensPerSPerGpu(), mode.getLoadServedPct() == null ? ""
                    : String.format(Locale.ROOT, ", serving %.1f %% of the load", mode.getLoadServedPct()),
                mode.getFeasible() ? "meets the SLA" : "MISSES the SLA (the closest configuration)");
            out.println("slaprof:   why: " + mode.getReason());
            out.println("slaprof: Dynamo's per-role picks (the profiler's rule, each role judged alone):");
        }
        pick(out, "prefill", r.getPrefill(), "TTFT", deployment);
        pick(out, "decode", r.getDecode(), "ITL", deployment);
        if (deployment && differs(mode.getRows().get(0), r)) {
            out.println("slaprof:   they differ from the deployment: it sizes prefill and decode replicas to each "
                + "other and ranks the whole by tokens/s/GPU (Dynamo 1.x " + mode.getMode().name()
                .toLowerCase(Locale.ROOT).replace('_', '-') + " mode), while the per-role rule ranks each engine "
                + "alone");
        }
        for (final String w : r.getWarnings()) {
            out.println("slaprof: WARNING " + w);
        }
    }

    private static boolean differs(final ModeRow m, final Recommendation r) {
        return r.getPrefill() == null || r.getDecode() == null
            || !m.getPrefillLabel().equals(r.getPrefill().getPoint().getLabel())
            || !m.getDecodeLabel().equals(r.getDecode().getPoint().getLabel())
            || m.getDecodeInFlight() != r.getDecode().getPoint().getInFlight();
    }

    /** "1 sample", "2 samples". */
    public static String plural(final long n, final String noun) {
        return n + " " + noun + (n == 1 ? "" : "s");
    }

    private static void pick(final PrintStream out, final String role, final Pick p, final String metric,
                             final boolean indented) {
        final String lead = indented ? "slaprof:   " : "slaprof: suggested ";
        if (p == null) {
            out.println(lead + "no " + role + " results");
            return;
        }
        final PerfPoint pt = p.getPoint();
        final String ci = Double.isFinite(pt.getCiHighMs())
            ? String.format(Locale.ROOT, "95%% CI %.2f..%.2f, ", pt.getCiLowMs(), pt.getCiHighMs()) : "";
        out.printf(Locale.ROOT, "%s%s: %s %s%s, %s %.2f ms (%s%s), %.2f tokens/s/GPU [%s]%s%n", lead, role,
            plural(pt.getMapping().getGpus(), "GPU"), pt.getLabel(),
            role.equals("decode") ? " at " + pt.getInFlight() + " in flight" : "", metric, pt.getLatencyMs(),
            ci, plural(pt.getSamples(), "sample"), pt.getThptPerGpu(), pt.getThptMethod(),
            p.getFeasible() ? "" : " (INFEASIBLE)");
    }

    public static void full(final PrintStream out, final Recommendation r, final Path folder, final long samples,
                     final double seconds) {
        out.println();
        out.println("== measured points (" + r.getDataSource() + " data) ==");
        out.printf(Locale.ROOT, "%-8s %-7s %9s %11s %14s %8s%n", "role", "mapping", "in-flight", "latency ms",
            "tokens/s/GPU", "samples");
        for (final PerfPoint p : r.getPrefillPoints()) {
            row(out, "prefill", p);
        }
        for (final PerfPoint p : r.getDecodePoints()) {
            row(out, "decode", p);
        }
        out.println();
        out.println("== slaprof summary (" + r.getDataSource() + " data) ==");
        picks(out, r);
        if (!r.getCostTable().isEmpty()) {
            CostRow best = r.getCostTable().get(0);
            for (final CostRow c : r.getCostTable()) {
                if (c.getGpuHours() < best.getGpuHours()) {
                    best = c;
                }
            }
            out.printf(Locale.ROOT, "slaprof: cheapest Pareto pair: %.4f GPU-hours per 1000 requests at %.1f "
                + "tokens/s/user%n", best.getGpuHours(), best.getTokensPerUser());
        }
        if (r.getPrefillTable() != null) {
            out.println("slaprof: prefill table " + r.getPrefillTable().getPrefillIsl().size() + " points"
                + (r.getPrefillTable().getComplete() ? "" : " (incomplete: " + r.getPrefillTable().getReason() + ")"));
        }
        if (r.getDecodeTable() != null) {
            out.println("slaprof: decode table " + r.getDecodeTable().getZItl().size() + " points, max_kv_tokens "
                + r.getDecodeTable().getMaxKvTokens()
                + (r.getDecodeTable().getComplete() ? "" : " (incomplete: " + r.getDecodeTable().getReason() + ")"));
        }
        out.println("slaprof: " + samples + " samples published; outputs in " + folder.toAbsolutePath());
        out.printf(Locale.ROOT, "slaprof: done in %.1f s%n", seconds);
    }

    private static void row(final PrintStream out, final String role, final PerfPoint p) {
        out.printf(Locale.ROOT, "%-8s %-7s %9d %11.2f %14.1f %8d%n", role, p.getLabel(), p.getInFlight(),
            p.getLatencyMs(), p.getThptPerGpu(), p.getSamples());
    }
}
