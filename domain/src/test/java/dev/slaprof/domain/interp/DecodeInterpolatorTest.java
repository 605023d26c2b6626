package dev.slaprof.domain.interp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Dynamo's query semantics on a known grid, and the stability and range of slaprof's default decode grid. */
class DecodeInterpolatorTest {
    private static final int N = DecodeGrid.RESOLUTION;
    private static final double STABILITY_BOUND = 0.01;
    static final Path AIC = Path.of("../testdata/dynamo/aic_all/config_with_planner.yaml");
    static final Path ONLINE =
        Path.of("../testdata/dynamo/online_all/config_with_planner.yaml");

    /** itl = ix + 1000 iy, thpt = 10 ix. */
    private static DecodeGrid known(final double maxY) {
        final double[][] itl = new double[N][N];
        final double[][] thpt = new double[N][N];
        for (int iy = 0; iy < N; iy++) {
            for (int ix = 0; ix < N; ix++) {
                itl[iy][ix] = ix + 1000.0 * iy;
                thpt[iy][ix] = 10.0 * ix;
            }
        }
        return new DecodeGrid(DecodeGrid.linspace(0, 1, N), DecodeGrid.linspace(0, maxY, N), itl, thpt,
            new boolean[N][N]);
    }

    @Test
    void shouldSnapToTheNearestNodeRoundingHalfToEven() {
        final double maxY = 9900;
        final DecodeInterpolator d = new DecodeInterpolator(known(maxY), 99_000);
        // context 150 is exactly half a y step (100): rounds to even 2; kv = n*150/99000.
        assertThat(d.interpolateItl(0, 150)).isEqualTo(2000);
        assertThat(d.interpolateItl(0, 50)).isEqualTo(0);
        // kv = 1.5 steps (1.5/99): n = 1.5/99*99000/100 = 15 at context 100 -> ix 2.
        assertThat(d.interpolateItl(15, 100)).isEqualTo(2 + 1000);
        // kv = 2.5 steps -> ix 2 (half to even), not 3.
        assertThat(d.interpolateItl(25, 100)).isEqualTo(2 + 1000);
    }

    @Test
    void shouldClampQueriesOutsideTheGrid() {
        final DecodeInterpolator d = new DecodeInterpolator(known(9900), 99_000);
        assertThat(d.interpolateItl(1e9, 1e9)).isEqualTo(99 + 1000.0 * 99);
        assertThat(d.interpolateThptPerGpu(-5, -5)).isEqualTo(0);
    }

    @Test
    void shouldScanFromFullKvDownAndFallBackToZeroKv() {
        final DecodeInterpolator d = new DecodeInterpolator(known(9900), 99_000);
        // Row iy 1 (context 100): itl = ix + 1000; target 1040.5 -> ix 40.
        final DecodeInterpolator.Best best = d.findBestThroughputPerGpu(1040.5, 100);
        assertThat(best.kvUsage()).isEqualTo(DecodeGrid.linspace(0, 1, N)[40]);
        assertThat(best.thptPerGpu()).isEqualTo(400);
        final DecodeInterpolator.Best none = d.findBestThroughputPerGpu(1, 100);
        assertThat(none.kvUsage()).isZero();
        assertThat(none.itlMs()).isEqualTo(1000);
    }

    static double[][] decode(final Path yaml) throws Exception {
        final JsonNode cm = new ObjectMapper(new YAMLFactory()).readerFor(JsonNode.class)
            .<JsonNode>readValues(yaml.toFile()).next();
        final JsonNode t = new ObjectMapper().readTree(cm.path("data").path("decode_raw_data.json").asText());
        final int n = t.path("z_itl").size();
        final double[][] out = new double[5][n];
        out[4][0] = t.path("max_kv_tokens").asDouble();
        final String[] keys = {"x_kv_usage", "y_context_length", "z_itl", "z_thpt_per_gpu"};
        for (int k = 0; k < 4; k++) {
            for (int i = 0; i < n; i++) {
                out[k][i] = t.path(keys[k]).get(i).asDouble();
            }
        }
        return out;
    }

    @Test
    void shouldStayStableUnderTinyPerturbationsOfTheInputs() throws Exception {
        for (final Path ref : new Path[] {AIC, ONLINE}) {
            final double[][] t = decode(ref);
            final double hybrid = worstChange(t, true);
            final double linear = worstChange(t, false);
            System.out.printf("decode grid stability on %s (largest relative ITL cell change, x and y times "
                + "1 + 1e-6 N(0,1), 5 draws): default (model + row residuals) %.3g, Delaunay-linear on normalised "
                + "coordinates %.3g%n", ref.getParent().getFileName(), hybrid, linear);
            assertThat(hybrid).as(ref.toString()).isLessThan(STABILITY_BOUND);
        }
    }

    private static DecodeGrid grid(final double[][] t, final double[] x, final double[] y, final boolean hybrid) {
        return hybrid ? HybridDecodeGrid.build(x, y, t[2], t[3], (long) t[4][0], N)
            : LinearDecodeGrid.build(x, y, t[2], t[3], N);
    }

    private static double worstChange(final double[][] t, final boolean hybrid) {
        final DecodeGrid base = grid(t, t[0], t[1], hybrid);
        final Random random = new Random(7);
        double worst = 0;
        for (int draw = 0; draw < 5; draw++) {
            final double[] x = t[0].clone();
            final double[] y = t[1].clone();
            for (int i = 0; i < x.length; i++) {
                x[i] *= 1 + 1e-6 * random.nextGaussian();
                y[i] *= 1 + 1e-6 * random.nextGaussian();
            }
            final DecodeGrid g = grid(t, x, y, hybrid);
            for (int iy = 0; iy < N; iy++) {
                for (int ix = 0; ix < N; ix++) {
                    worst = Math.max(worst, Math.abs(g.itl()[iy][ix] - base.itl()[iy][ix]) / base.itl()[iy][ix]);
                }
            }
        }
        return worst;
    }

    @Test
    void shouldFitThePhysicalModelToTheReferenceSurface() throws Exception {
        final double[][] t = decode(AIC);
        final DecodeModelFit fit = DecodeModelFit.fit(t[0], t[1], t[2], 502_272);
        System.out.printf("decode model on aic_all: ITL = %.4f + %.4g K + %.4g n ms, R^2 %.4f%n", fit.a(), fit.b(),
            fit.c(), fit.rSquared());
        assertThat(fit.rSquared()).isGreaterThan(0.95);
        assertThat(fit.b()).isPositive();
        assertThat(fit.c()).isPositive();
    }

    @Test
    void shouldNeverLeaveTheRangeOfTheData() throws Exception {
        final double[][] t = decode(AIC);
        final DecodeGrid g = HybridDecodeGrid.build(t[0], t[1], t[2], t[3], (long) t[4][0], N);
        final double lo = Arrays.stream(t[2]).min().orElseThrow();
        final double hi = Arrays.stream(t[2]).max().orElseThrow();
        int extrapolated = 0;
        for (int iy = 0; iy < N; iy++) {
            for (int ix = 0; ix < N; ix++) {
                assertThat(g.itl()[iy][ix]).isBetween(lo, hi);
                extrapolated += g.extrapolated()[iy][ix] ? 1 : 0;
            }
        }
        assertThat(extrapolated).as("cells outside the hull").isPositive().isLessThan(N * N);
    }

    @Test
    void shouldRefuseCollinearAndTooFewPoints() {
        assertThatThrownBy(() -> RowDecodeGrid.build(new double[] {0.1, 0.2, 0.3}, new double[] {350, 350, 350},
            new double[] {10, 11, 12}, new double[] {1, 2, 3}, N))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("one line");
        assertThatThrownBy(() -> LinearDecodeGrid.build(new double[] {0.1, 0.2}, new double[] {350, 700},
            new double[] {10, 11}, new double[] {1, 2}, N))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("at least 3");
    }
}
