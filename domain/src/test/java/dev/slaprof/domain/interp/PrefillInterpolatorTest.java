package dev.slaprof.domain.interp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.StringJoiner;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Parity with scipy's interp1d(kind="cubic") on Dynamo's reference data, and the spec §12 vectors. */
class PrefillInterpolatorTest {
    /** The spec's vectors carry 6 decimals. */
    private static final double SPEC_TOLERANCE = 1e-6;
    /** Relative agreement with scipy computed in the same run. */
    private static final double SCIPY_RELATIVE = 1e-9;
    private static final Path AIC = Path.of("../testdata/dynamo/aic_all/config_with_planner.yaml");
    private static final Path ONLINE =
        Path.of("../testdata/dynamo/online_all/config_with_planner.yaml");

    private static double[][] table(final Path yaml) throws Exception {
        final JsonNode cm = new ObjectMapper(new YAMLFactory()).readerFor(JsonNode.class)
            .<JsonNode>readValues(yaml.toFile()).next();
        final JsonNode p = new ObjectMapper().readTree(cm.path("data").path("prefill_raw_data.json").asText());
        final int n = p.path("prefill_isl").size();
        final double[][] t = new double[3][n];
        for (int i = 0; i < n; i++) {
            t[0][i] = p.path("prefill_isl").get(i).asDouble();
            t[1][i] = p.path("prefill_ttft").get(i).asDouble();
            t[2][i] = p.path("prefill_thpt_per_gpu").get(i).asDouble();
        }
        return t;
    }

    @Test
    void shouldReproduceTheSpecVectorsOnAicData() throws Exception {
        final double[][] t = table(AIC);
        final PrefillInterpolator p = new PrefillInterpolator(t[0], t[1], t[2]);
        final double[][] expected = {{50, 19.855, 5036.514732}, {1000, 95.971080, 8180.140303},
            {2048, 192.987022, 10081.974897}, {2621, 249.305, 10513.226770}, {3000, 287.660795, 10621.107719},
            {20000, 2609.856983, 7663.186568}, {50000, 7371.212, 5485.665044}};
        for (final double[] e : expected) {
            assertThat(p.interpolateTtft(e[0])).as("TTFT at %s", e[0]).isCloseTo(e[1], within(SPEC_TOLERANCE));
            assertThat(p.interpolateThptPerGpu(e[0])).as("thpt at %s", e[0]).isCloseTo(e[2], within(SPEC_TOLERANCE));
        }
    }

    @Test
    void shouldEqualScipyOnADenseGridOfBothReferenceTables() throws Exception {
        for (final Path ref : new Path[] {AIC, ONLINE}) {
            final double[][] t = table(ref);
            final PrefillInterpolator p = new PrefillInterpolator(t[0], t[1], t[2]);
            final StringJoiner qs = new StringJoiner(",");
            final double[] queries = new double[400];
            for (int i = 0; i < queries.length; i++) {
                queries[i] = 100 + i * (40436 - 100) / 399.0;
                qs.add(String.format(Locale.ROOT, "%.17g", queries[i]));
            }
            final String out = python(String.join("\n",
                "import json, sys, numpy as np",
                "from scipy.interpolate import interp1d",
                "x, y1, y2 = (np.array(json.loads(a)) for a in sys.argv[1:4])",
                "q = np.array(json.loads(sys.argv[4]))",
                "f1, f2 = interp1d(x, y1, kind='cubic'), interp1d(x, y2, kind='cubic')",
                "print(json.dumps([f1(q).tolist(), f2(q).tolist()]))"),
                json(t[0]), json(t[1]), json(t[2]), "[" + qs + "]");
            final JsonNode scipy = new ObjectMapper().readTree(out);
            for (int i = 0; i < queries.length; i++) {
                final double a = scipy.get(0).get(i).asDouble();
                final double b = scipy.get(1).get(i).asDouble();
                assertThat(p.interpolateTtft(queries[i])).isCloseTo(a, within(Math.abs(a) * SCIPY_RELATIVE));
                assertThat(p.interpolateThptPerGpu(queries[i])).isCloseTo(b, within(Math.abs(b) * SCIPY_RELATIVE));
            }
        }
    }

    @Test
    void shouldPassThroughEveryKnot() throws Exception {
        final double[][] t = table(ONLINE);
        final PrefillInterpolator p = new PrefillInterpolator(t[0], t[1], t[2]);
        for (int i = 0; i < t[0].length; i++) {
            assertThat(p.interpolateTtft(t[0][i])).isEqualTo(t[1][i]);
        }
    }

    @Test
    void shouldRejectTooFewAndDuplicatePoints() {
        assertThatThrownBy(() -> new NotAKnotSpline(new double[] {1, 2, 3}, new double[] {1, 2, 3}))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("at least 4");
        assertThatThrownBy(() -> new NotAKnotSpline(new double[] {1, 2, 2, 3}, new double[] {1, 2, 3, 4}))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("duplicate x 2.0");
        assertThatThrownBy(() -> new NotAKnotSpline(new double[] {1, 2}, new double[] {1}))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("differ in length");
        assertThatThrownBy(() -> new NotAKnotSpline(new double[] {1, 2, Double.NaN, 4}, new double[] {1, 2, 3, 4}))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("non-finite");
    }

    @Test
    void shouldReproduceACubicExactlyWithFourPoints() {
        // Not-a-knot through 4 points of a cubic is that cubic.
        final double[] x = {0, 1, 3, 4};
        final double[] y = new double[4];
        for (int i = 0; i < 4; i++) {
            y[i] = 2 - x[i] + 0.5 * x[i] * x[i] - 0.25 * x[i] * x[i] * x[i];
        }
        final NotAKnotSpline s = new NotAKnotSpline(x, y);
        assertThat(s.value(2)).isCloseTo(2 - 2 + 2 - 2, within(1e-12));
    }

    private static String json(final double[] v) {
        final StringJoiner j = new StringJoiner(",", "[", "]");
        for (final double d : v) {
            j.add(String.format(Locale.ROOT, "%.17g", d));
        }
        return j.toString();
    }

    static String python(final String script, final String... args) throws Exception {
        final List<String> cmd = new ArrayList<>(List.of("python3", "-c", script));
        cmd.addAll(List.of(args));
        final Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        final String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(out).isZero();
        return out;
    }
}
