package dev.slaprof.domain.recommend;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.slaprof.domain.Fixtures;
import dev.slaprof.domain.interp.DecodeGrid;
import dev.slaprof.domain.interp.HybridDecodeGrid;
import dev.slaprof.domain.interp.PrefillInterpolator;
import dev.slaprof.schema.avro.DecodeTable;
import dev.slaprof.schema.avro.PrefillTable;
import dev.slaprof.schema.avro.Recommendation;
import dev.slaprof.schema.avro.SplineData;
import dev.slaprof.schema.avro.Statistic;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The planner-ready forms in a recommendation reproduce the interpolators: the spline coefficients evaluate to the
 * spline, the carried grid is the default grid node for node, and the model is present; an incomplete table leaves
 * them out without an exception.
 */
class PlannerDataTest {
    private static final Path AIC = Path.of("../testdata/dynamo/aic_all/config_with_planner.yaml");

    private static List<Double> doubles(final JsonNode a) {
        final List<Double> out = new ArrayList<>();
        a.forEach(v -> out.add(v.asDouble()));
        return out;
    }

    private static double eval(final SplineData s, final double q) {
        final List<Double> k = s.getKnots();
        final double c = Math.max(k.get(0), Math.min(k.get(k.size() - 1), q));
        int i = 0;
        while (i < k.size() - 2 && c >= k.get(i + 1)) {
            i++;
        }
        final double t = c - k.get(i);
        return s.getC0().get(i) + t * (s.getC1().get(i) + t * (s.getC2().get(i) + t * s.getC3().get(i)));
    }

    @Test
    void shouldCarrySplinesGridAndModelThatReproduceTheInterpolators() throws Exception {
        final JsonNode cm = new ObjectMapper(new YAMLFactory()).readerFor(JsonNode.class)
            .<JsonNode>readValues(AIC.toFile()).next();
        final JsonNode p = new ObjectMapper().readTree(cm.path("data").path("prefill_raw_data.json").asText());
        final JsonNode d = new ObjectMapper().readTree(cm.path("data").path("decode_raw_data.json").asText());
        final List<Long> isl = new ArrayList<>();
        p.path("prefill_isl").forEach(v -> isl.add(v.asLong()));
        final PrefillTable pt = new PrefillTable(isl, doubles(p.path("prefill_ttft")),
            doubles(p.path("prefill_thpt_per_gpu")), new ArrayList<>(), true, "");
        final DecodeTable dt = new DecodeTable(doubles(d.path("x_kv_usage")), doubles(d.path("y_context_length")),
            doubles(d.path("z_itl")), doubles(d.path("z_thpt_per_gpu")), new ArrayList<>(),
            d.path("max_kv_tokens").asLong(), true, "");
        final Recommendation base = Recommender.recommend(Fixtures.DEPLOYMENT, Fixtures.sla(500, 50,
            Statistic.MEAN), List.of(), Map.of(), null, 0);
        base.setPrefillTable(pt);
        base.setDecodeTable(dt);
        PlannerData.attach(base);

        final PrefillInterpolator pi = PrefillInterpolator.of(pt);
        for (final double q : new double[] {50, 1000, 2048, 2621, 3000, 20000, 50000}) {
            assertThat(eval(base.getPrefillTtftSpline(), q)).isCloseTo(pi.interpolateTtft(q), within(1e-9));
            assertThat(eval(base.getPrefillThptSpline(), q)).isCloseTo(pi.interpolateThptPerGpu(q), within(1e-6));
        }
        final int n = dt.getZItl().size();
        final double[][] a = new double[4][n];
        for (int i = 0; i < n; i++) {
            a[0][i] = dt.getXKvUsage().get(i);
            a[1][i] = dt.getYContextLength().get(i);
            a[2][i] = dt.getZItl().get(i);
            a[3][i] = dt.getZThptPerGpu().get(i);
        }
        final DecodeGrid g = HybridDecodeGrid.build(a[0], a[1], a[2], a[3], dt.getMaxKvTokens(), 100);
        assertThat(base.getDecodeGrid().getItl()).hasSize(100 * 100);
        for (int iy = 0; iy < 100; iy += 7) {
            for (int ix = 0; ix < 100; ix += 3) {
                assertThat(base.getDecodeGrid().getItl().get(iy * 100 + ix)).isEqualTo(g.itl()[iy][ix]);
                assertThat(base.getDecodeGrid().getExtrapolated().get(iy * 100 + ix)).isEqualTo(g.extrapolated()[iy][ix]);
            }
        }
        assertThat(base.getDecodeModel().getRSquared()).isGreaterThan(0.98);

        // An incomplete table: nothing attached, no exception.
        final Recommendation empty = Recommender.recommend(Fixtures.DEPLOYMENT, Fixtures.sla(500, 50,
            Statistic.MEAN), List.of(), Map.of(), null, 0);
        assertThat(empty.getDecodeGrid()).isNull();
        assertThat(empty.getPrefillTtftSpline()).isNull();
    }
}
