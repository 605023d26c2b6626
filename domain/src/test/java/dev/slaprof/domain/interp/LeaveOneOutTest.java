package dev.slaprof.domain.interp;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Leave-one-out ITL error of each decode method on Dynamo's aic_all table (36 points): slaprof's row
 * interpolation, the physical model fit, and Dynamo's own griddata cubic + nearest fill (computed by scipy in the
 * same run). Prints the table recorded in docs/INTERPOLATION.md.
 */
class LeaveOneOutTest {
    private static final Path AIC = Path.of("../testdata/dynamo/aic_all/config_with_planner.yaml");
    private static final long MAX_KV = 502_272;

    @Test
    void shouldMeasureLeaveOneOutErrorOfEveryMethod() throws Exception {
        final JsonNode cm = new ObjectMapper(new YAMLFactory()).readerFor(JsonNode.class)
            .<JsonNode>readValues(AIC.toFile()).next();
        final JsonNode t = new ObjectMapper().readTree(cm.path("data").path("decode_raw_data.json").asText());
        final int n = t.path("z_itl").size();
        final double[] x = new double[n];
        final double[] y = new double[n];
        final double[] z = new double[n];
        for (int i = 0; i < n; i++) {
            x[i] = t.path("x_kv_usage").get(i).asDouble();
            y[i] = t.path("y_context_length").get(i).asDouble();
            z[i] = t.path("z_itl").get(i).asDouble();
        }
        final double[] rows = new double[n];
        final double[] model = new double[n];
        final double[] hybrid = new double[n];
        final double[] out = new double[2];
        for (int i = 0; i < n; i++) {
            final double[] xs = drop(x, i);
            final double[] ys = drop(y, i);
            final double[] zs = drop(z, i);
            RowDecodeGrid.value(xs, ys, zs, zs, x[i], y[i], out);
            rows[i] = Math.abs(out[0] - z[i]) / z[i];
            final DecodeModelFit fit = DecodeModelFit.fit(xs, ys, zs, MAX_KV);
            model[i] = Math.abs(fit.itl(x[i] * MAX_KV / y[i], y[i]) - z[i]) / z[i];
            hybrid[i] = Math.abs(HybridDecodeGrid.itl(xs, ys, zs, MAX_KV, x[i], y[i]) - z[i]) / z[i];
        }
        final double[] dynamo = scipyLeaveOneOut(t.path("x_kv_usage").toString(),
            t.path("y_context_length").toString(), t.path("z_itl").toString());
        System.out.printf(Locale.ROOT, "leave-one-out relative ITL error on aic_all (mean / max): rows %.4f / %.4f, "
                + "model %.4f / %.4f, model + row residuals (default) %.4f / %.4f, Dynamo griddata cubic+nearest "
                + "%.4f / %.4f%n", mean(rows), max(rows), mean(model), max(model), mean(hybrid), max(hybrid),
            mean(dynamo), max(dynamo));
        assertThat(mean(hybrid)).isLessThan(mean(dynamo)).isLessThan(mean(rows));
        assertThat(max(hybrid)).isLessThan(max(dynamo));
    }

    private static double[] scipyLeaveOneOut(final String xs, final String ys, final String zs) throws Exception {
        final String script = String.join("\n",
            "import json, sys, numpy as np",
            "from scipy.interpolate import griddata",
            "x, y, z = (np.array(json.loads(a)) for a in sys.argv[1:4])",
            "err = []",
            "for i in range(len(z)):",
            "    m = np.arange(len(z)) != i",
            "    v = griddata((x[m], y[m]), z[m], (x[i], y[i]), method='cubic')",
            "    if np.isnan(v): v = griddata((x[m], y[m]), z[m], (x[i], y[i]), method='nearest')",
            "    err.append(float(abs(v - z[i]) / z[i]))",
            "print(json.dumps(err))");
        final Process p = new ProcessBuilder("python3", "-c", script, xs, ys, zs).redirectErrorStream(true).start();
        final String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(out).isZero();
        final JsonNode a = new ObjectMapper().readTree(out);
        final double[] e = new double[a.size()];
        for (int i = 0; i < e.length; i++) {
            e[i] = a.get(i).asDouble();
        }
        return e;
    }

    private static double[] drop(final double[] v, final int i) {
        final double[] out = new double[v.length - 1];
        System.arraycopy(v, 0, out, 0, i);
        System.arraycopy(v, i + 1, out, i, v.length - i - 1);
        return out;
    }

    private static double mean(final double[] v) {
        return Arrays.stream(v).average().orElse(Double.NaN);
    }

    private static double max(final double[] v) {
        return Arrays.stream(v).max().orElse(Double.NaN);
    }
}
