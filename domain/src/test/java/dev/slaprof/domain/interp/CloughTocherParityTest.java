package dev.slaprof.domain.interp;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import java.util.Arrays;
import org.assertj.core.api.Assertions;
import org.junit.jupiter.api.Test;

/**
 * Clough-Tocher parity with scipy given scipy's own triangulation (the well-posed part, spec §14): on both reference
 * decode tables, the estimated vertex gradients and every cell of the 100 x 100 grid inside the hull equal scipy's
 * {@code CloughTocher2DInterpolator} (what {@code griddata(method="cubic")} uses) within 1e-6 relative. scipy runs
 * in the test as the oracle.
 */
class CloughTocherParityTest {
    private static final String SCRIPT = String.join("\n",
        "import json, sys",
        "import numpy as np",
        "from scipy.spatial import Delaunay",
        "from scipy.interpolate import CloughTocher2DInterpolator",
        "x = np.array(json.loads(sys.argv[1])); y = np.array(json.loads(sys.argv[2])); z = np.array(json.loads(sys.argv[3]))",
        "pts = np.column_stack([x, y])",
        "tri = Delaunay(pts)",
        "ip = CloughTocher2DInterpolator(tri, z)",
        "xi = np.linspace(0, 1, 100); yi = np.linspace(0, y.max(), 100)",
        "X, Y = np.meshgrid(xi, yi)",
        "g = ip(X, Y)",
        "print(json.dumps({'simplices': tri.simplices.tolist(), 'grad': ip.grad[:, 0, :].tolist(),",
        "  'grid': [[None if np.isnan(v) else float(v) for v in row] for row in g]}))");

    @Test
    void shouldMatchScipyForTheSameTriangulation() throws Exception {
        for (final Path ref : new Path[] {DecodeInterpolatorTest.AIC, DecodeInterpolatorTest.ONLINE}) {
            final double[][] t = DecodeInterpolatorTest.decode(ref);
            for (final int value : new int[] {2, 3}) {
                final JsonNode out = new ObjectMapper().readTree(PrefillInterpolatorTest.python(SCRIPT,
                    Arrays.toString(t[0]), Arrays.toString(t[1]), Arrays.toString(t[value])));
                final int[][] simplices = new int[out.path("simplices").size()][3];
                for (int i = 0; i < simplices.length; i++) {
                    for (int k = 0; k < 3; k++) {
                        simplices[i][k] = out.path("simplices").get(i).get(k).asInt();
                    }
                }
                final CloughTocher2D ct = new CloughTocher2D(t[0], t[1], t[value], simplices);
                double worstGrad = 0;
                for (int i = 0; i < t[0].length; i++) {
                    for (int k = 0; k < 2; k++) {
                        final double want = out.path("grad").get(i).get(k).asDouble();
                        worstGrad = Math.max(worstGrad, Math.abs(ct.gradient(i)[k] - want)
                            / Math.max(1e-12, Math.abs(want)));
                    }
                }
                final double[] xi = DecodeGrid.linspace(0, 1, 100);
                double maxY = Arrays.stream(t[1]).max().orElseThrow();
                final double[] yi = DecodeGrid.linspace(0, maxY, 100);
                double worst = 0;
                int inside = 0;
                int hullMismatch = 0;
                for (int iy = 0; iy < 100; iy++) {
                    for (int ix = 0; ix < 100; ix++) {
                        final JsonNode want = out.path("grid").get(iy).get(ix);
                        final double got = ct.value(xi[ix], yi[iy]);
                        if (want.isNull()) {
                            hullMismatch += Double.isNaN(got) ? 0 : 1;
                            continue;
                        }
                        inside++;
                        worst = Math.max(worst, Math.abs(got - want.asDouble()) / Math.abs(want.asDouble()));
                    }
                }
                System.out.printf("Clough-Tocher vs scipy on %s (%s, %d triangles, %d sweeps): gradients %.3g, "
                    + "%d cells inside the hull %.3g, outside-hull disagreements %d%n", ref.getParent().getFileName(),
                    value == 2 ? "ITL" : "thpt/GPU", simplices.length, ct.sweeps(), worstGrad, inside, worst,
                    hullMismatch);
                assertThat(worstGrad).as(ref + " gradients").isLessThan(1e-6);
                assertThat(worst).as(ref + " grid").isLessThan(1e-6);
                assertThat(hullMismatch).isZero();
            }
        }
    }

    @Test
    void shouldFlagDynamosRawGridAsIllConditionedAndReportTheSpecCells() throws Exception {
        final double[][] t = DecodeInterpolatorTest.decode(DecodeInterpolatorTest.AIC);
        final CloughTocherDecodeGrid.Result r = CloughTocherDecodeGrid.build(t[0], t[1], t[2], t[3], 100);
        System.out.printf("Dynamo-compatible grid on aic_all: condition %.3g (largest relative ITL cell change "
            + "under 1e-9 coordinate noise), flagged %s%n", r.condition(), r.illConditioned());
        assertThat(r.illConditioned()).isTrue();
        // Spec §12 cells: matched where JTS and Qhull triangulate those quads alike.
        final int[][] cells = {{6, 14}, {6, 43}, {6, 67}, {21, 7}, {20, 50}};
        final double[] want = {16.976564474, 34.235767391, 46.123578145, 12.127169319, 18.265605899};
        int matched = 0;
        for (int k = 0; k < cells.length; k++) {
            final double got = r.grid().itl()[cells[k][0]][cells[k][1]];
            final boolean ok = Math.abs(got - want[k]) / want[k] < 1e-6;
            matched += ok ? 1 : 0;
            System.out.printf("  cell [%d,%d]: slaprof %.9f, spec %.9f%s%n", cells[k][0], cells[k][1], got, want[k],
                ok ? "" : "  (triangulations differ here)");
        }
        System.out.printf("  %d of %d spec cells matched%n", matched, cells.length);
        assertThat(matched).isPositive();
    }

    @Test
    void shouldPassThroughTheDataAndStayWellConditionedOnAWellShapedTable() {
        final double[] x = new double[16];
        final double[] y = new double[16];
        final double[] z = new double[16];
        for (int i = 0; i < 16; i++) {
            x[i] = (i % 4) / 3.0;
            y[i] = (i / 4) / 3.0;
            z[i] = 10 + 5 * x[i] + 3 * y[i] * y[i];
        }
        final CloughTocherDecodeGrid.Result r = CloughTocherDecodeGrid.build(x, y, z, z, 20);
        assertThat(r.illConditioned()).as("condition %s", r.condition()).isFalse();
        final int[][] tri = LinearDecodeGrid.triangulate(x, y, 1.0);
        final CloughTocher2D ct = new CloughTocher2D(x, y, z, tri);
        for (int i = 0; i < 16; i++) {
            assertThat(ct.value(x[i], y[i])).isCloseTo(z[i], Assertions.within(1e-9));
        }
        assertThat(ct.value(2, 2)).isNaN();
    }
}
