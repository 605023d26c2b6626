package dev.slaprof.domain.recommend;

import dev.slaprof.domain.interp.DecodeGrid;
import dev.slaprof.domain.interp.DecodeModelFit;
import dev.slaprof.domain.interp.HybridDecodeGrid;
import dev.slaprof.domain.interp.NotAKnotSpline;
import dev.slaprof.domain.interp.PrefillInterpolator;
import dev.slaprof.schema.avro.DecodeGridData;
import dev.slaprof.schema.avro.DecodeModel;
import dev.slaprof.schema.avro.DecodeTable;
import dev.slaprof.schema.avro.PrefillTable;
import dev.slaprof.schema.avro.Recommendation;
import dev.slaprof.schema.avro.SplineData;
import java.util.ArrayList;
import java.util.List;

/**
 * Puts the planner-ready forms next to the raw tables in a recommendation: both prefill splines as piecewise
 * coefficients, slaprof's default 100 x 100 decode grid with its extrapolation flags, and the decode model fit. A
 * consumer in any language then needs no numerical library. A table that cannot support a form leaves it null, with
 * a warning naming why; nothing here throws into the topology.
 */
final class PlannerData {
    private PlannerData() {
    }

    static void attach(final Recommendation r) {
        final PrefillTable p = r.getPrefillTable();
        if (p != null && p.getComplete()) {
            try {
                final PrefillInterpolator pi = PrefillInterpolator.of(p);
                r.setPrefillTtftSpline(spline(pi.ttftSpline()));
                r.setPrefillThptSpline(spline(pi.thptSpline()));
            } catch (final IllegalArgumentException e) {
                r.getWarnings().add("prefill spline not built: " + e.getMessage());
            }
        }
        final DecodeTable d = r.getDecodeTable();
        if (d != null && d.getComplete()) {
            final double[][] c = Tables.columns(d);
            final double[] x = c[0];
            final double[] y = c[1];
            final double[] z = c[2];
            final double[] th = c[3];
            try {
                r.setDecodeGrid(grid(HybridDecodeGrid.build(x, y, z, th, d.getMaxKvTokens(), DecodeGrid.RESOLUTION)));
            } catch (final IllegalArgumentException e) {
                r.getWarnings().add("decode grid not built: " + e.getMessage());
            }
            try {
                final DecodeModelFit f = DecodeModelFit.fit(x, y, z, d.getMaxKvTokens());
                r.setDecodeModel(new DecodeModel(f.a(), f.b(), f.c(), f.rSquared()));
            } catch (final IllegalArgumentException e) {
                r.getWarnings().add("decode model not fitted: " + e.getMessage());
            }
        }
    }

    private static SplineData spline(final NotAKnotSpline s) {
        final double[][] c = s.coefficients();
        return new SplineData(list(c[0]), list(c[1]), list(c[2]), list(c[3]), list(c[4]));
    }

    private static DecodeGridData grid(final DecodeGrid g) {
        final int nx = g.xi().length;
        final int ny = g.yi().length;
        final List<Double> itl = new ArrayList<>(nx * ny);
        final List<Double> thpt = new ArrayList<>(nx * ny);
        final List<Boolean> ext = new ArrayList<>(nx * ny);
        for (int iy = 0; iy < ny; iy++) {
            for (int ix = 0; ix < nx; ix++) {
                itl.add(g.itl()[iy][ix]);
                thpt.add(g.thpt()[iy][ix]);
                ext.add(g.extrapolated()[iy][ix]);
            }
        }
        return new DecodeGridData("model ITL = a + b K + c n plus row-interpolated residuals, clamped to the data "
            + "range; nearest data outside the measured region", list(g.xi()), list(g.yi()), itl, thpt, ext);
    }

    private static List<Double> list(final double[] a) {
        final List<Double> out = new ArrayList<>(a.length);
        for (final double v : a) {
            out.add(v);
        }
        return out;
    }
}
