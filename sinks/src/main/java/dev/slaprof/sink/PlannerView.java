package dev.slaprof.sink;

import dev.slaprof.domain.interp.CloughTocherDecodeGrid;
import dev.slaprof.domain.interp.DecodeGrid;
import dev.slaprof.domain.interp.DecodeInterpolator;
import dev.slaprof.domain.interp.HybridDecodeGrid;
import dev.slaprof.domain.interp.PrefillInterpolator;
import dev.slaprof.domain.recommend.Tables;
import dev.slaprof.schema.avro.DecodeTable;
import dev.slaprof.schema.avro.Recommendation;

/**
 * The planner's queries on one recommendation: prefill TTFT and thpt/GPU at an ISL (not-a-knot spline, clamped),
 * decode ITL and thpt/GPU at (in-flight, context) and the best thpt/GPU under an ITL (slaprof's default stable
 * grid, Dynamo's query semantics). A table that cannot answer throws {@link CannotAnswer} with the reason.
 */
public final class PlannerView {
    private final Recommendation recommendation;
    private final PrefillInterpolator prefill;
    private final DecodeInterpolator decode;
    private final DecodeGrid grid;
    private final String prefillProblem;
    private final String decodeProblem;

    public PlannerView(final Recommendation r) {
        this.recommendation = r;
        PrefillInterpolator p = null;
        String pp = null;
        if (r.getPrefillTable() == null) {
            pp = "no prefill table (no prefill pick)";
        } else if (!r.getPrefillTable().getComplete()) {
            pp = r.getPrefillTable().getReason();
        } else {
            p = PrefillInterpolator.of(r.getPrefillTable());
        }
        DecodeInterpolator d = null;
        DecodeGrid g = null;
        String dp = null;
        final DecodeTable t = r.getDecodeTable();
        if (t == null) {
            dp = "no decode table (no decode pick)";
        } else if (!t.getComplete()) {
            dp = t.getReason();
        } else {
            try {
                g = grid(t);
                d = new DecodeInterpolator(g, t.getMaxKvTokens());
            } catch (final IllegalArgumentException e) {
                dp = e.getMessage();
            }
        }
        this.prefill = p;
        this.decode = d;
        this.grid = g;
        this.prefillProblem = pp;
        this.decodeProblem = dp;
    }

    private static DecodeGrid grid(final DecodeTable t) {
        final double[][] c = Tables.columns(t);
        return HybridDecodeGrid.build(c[0], c[1], c[2], c[3], t.getMaxKvTokens(), DecodeGrid.RESOLUTION);
    }

    private volatile CloughTocherDecodeGrid.Result dynamo;

    /**
     * Dynamo's own decode grid (Clough-Tocher on raw coordinates) with its measured condition; built on first use
     * (tens of milliseconds). Fails with the reason when the table cannot answer.
     */
    public CloughTocherDecodeGrid.Result dynamoGrid() {
        if (grid == null) {
            throw new CannotAnswer("decode table incomplete: " + decodeProblem);
        }
        if (dynamo == null) {
            final double[][] c = Tables.columns(recommendation.getDecodeTable());
            dynamo = CloughTocherDecodeGrid.build(c[0], c[1], c[2], c[3],
                DecodeGrid.RESOLUTION);
        }
        return dynamo;
    }

    public Recommendation recommendation() {
        return recommendation;
    }

    /** The prefill interpolator; fails with the reason when the table cannot answer. */
    public PrefillInterpolator prefill() {
        if (prefill == null) {
            throw new CannotAnswer("prefill table incomplete: " + prefillProblem);
        }
        return prefill;
    }

    /** The decode grid (slaprof's default method); fails with the reason when the table cannot answer. */
    public DecodeGrid grid() {
        if (grid == null) {
            throw new CannotAnswer("decode table incomplete: " + decodeProblem);
        }
        return grid;
    }

    /** The decode interpolator; fails with the reason when the table cannot answer. */
    public DecodeInterpolator decode() {
        if (decode == null) {
            throw new CannotAnswer("decode table incomplete: " + decodeProblem);
        }
        return decode;
    }
}
