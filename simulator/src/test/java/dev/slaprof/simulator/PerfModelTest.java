package dev.slaprof.simulator;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.slaprof.schema.Mappings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import org.assertj.core.data.Percentage;
import org.junit.jupiter.api.Test;

/**
 * Calibration against the AI Configurator Qwen3-32B / H200 reference in testdata/ (prefill TTFT on TP1,
 * decode ITL on TP2), and the shapes the model must have for other mappings.
 */
class PerfModelTest {
    private static final double CALIBRATION_TOLERANCE = 0.25;
    private static final Path REFERENCE = Path.of("../testdata/dynamo/aic_all/configmap_data.json");
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Catalog catalog = Catalog.bundled();
    private final ModelSpec qwen = catalog.model("Qwen/Qwen3-32B");
    private final GpuSpec h200 = catalog.gpu("H200-SXM");

    private JsonNode reference(final String key) throws Exception {
        final String yaml = JSON.readTree(Files.readString(REFERENCE)).path("config_with_planner.yaml").asText();
        final JsonNode configMap = new ObjectMapper(new YAMLFactory()).readerFor(JsonNode.class).<JsonNode>readValues(yaml).next();
        return JSON.readTree(configMap.path("data").path(key).asText());
    }

    @Test
    void shouldMatchReferencePrefillTtftOnTp1() throws Exception {
        final JsonNode p = reference("prefill_raw_data.json");
        final PerfModel tp1 = new PerfModel(qwen, h200, catalog.params(), Mappings.tp(1));
        final StringBuilder table = new StringBuilder("ISL | reference TTFT ms | model TTFT ms | error\n");
        double worst = 0;
        for (int i = 0; i < p.path("prefill_isl").size(); i++) {
            final int isl = p.path("prefill_isl").get(i).asInt();
            final double ref = p.path("prefill_ttft").get(i).asDouble();
            final double model = tp1.prefillMs(isl);
            final double err = (model - ref) / ref;
            worst = Math.max(worst, Math.abs(err));
            table.append(String.format(Locale.ROOT, "%d | %.1f | %.1f | %+.1f %%%n", isl, ref, model, err * 100));
        }
        System.out.println(table);
        assertThat(worst).isLessThanOrEqualTo(CALIBRATION_TOLERANCE);
    }

    @Test
    void shouldMatchReferenceDecodeItlOnTp2() throws Exception {
        final JsonNode d = reference("decode_raw_data.json");
        final PerfModel tp2 = new PerfModel(qwen, h200, catalog.params(), Mappings.tp(2));
        final long maxKv = d.path("max_kv_tokens").asLong();
        final StringBuilder table = new StringBuilder("KV usage | context | n | reference ITL ms | model | error\n");
        double worst = 0;
        for (int i = 0; i < d.path("z_itl").size(); i++) {
            final double x = d.path("x_kv_usage").get(i).asDouble();
            final double y = d.path("y_context_length").get(i).asDouble();
            final int n = (int) Math.round(x * maxKv / y);
            final double ref = d.path("z_itl").get(i).asDouble();
            final double model = tp2.decodeStepMs(n, Math.round(n * y));
            final double err = (model - ref) / ref;
            worst = Math.max(worst, Math.abs(err));
            table.append(String.format(Locale.ROOT, "%.4f | %.0f | %d | %.3f | %.3f | %+.1f %%%n", x, y, n, ref, model,
                err * 100));
        }
        System.out.println(table);
        assertThat(worst).isLessThanOrEqualTo(CALIBRATION_TOLERANCE);
        assertThat((double) tp2.kvTokens()).isCloseTo(maxKv, Percentage.withPercentage(1));
    }

    @Test
    void shouldLowerTtftWithTpWithDiminishingReturns() {
        double previous = Double.MAX_VALUE;
        double previousGain = Double.MAX_VALUE;
        for (final int tp : new int[] {1, 2, 4, 8}) {
            final double ttft = new PerfModel(qwen, h200, catalog.params(), Mappings.tp(tp)).prefillMs(3000);
            if (previous != Double.MAX_VALUE) {
                final double gain = previous / ttft;
                assertThat(ttft).as("TTFT at TP%d", tp).isLessThan(previous);
                assertThat(gain).as("speed-up of TP%d over TP%d", tp, tp / 2).isLessThan(previousGain).isLessThan(2);
                previousGain = gain;
            }
            previous = ttft;
        }
    }

    @Test
    void shouldPeakDecodeThroughputPerGpuAtAMidTp() {
        // Throughput per GPU at the batch that fills KV for ISL 3000 + OSL 500, capped at 2000 like Dynamo.
        final double[] thpt = new double[4];
        final int[] tps = {1, 2, 4, 8};
        for (int i = 0; i < tps.length; i++) {
            final PerfModel m = new PerfModel(qwen, h200, catalog.params(), Mappings.tp(tps[i]));
            final int batch = (int) Math.min(2000, m.kvTokens() / 3500);
            final double itl = m.decodeStepMs(batch, batch * 3250L);
            thpt[i] = batch * 1000.0 / itl / tps[i];
        }
        final int best = argmax(thpt);
        assertThat(best).as("peak thpt/GPU index in %s", Arrays.toString(thpt)).isBetween(1, 2);
    }

    private static int argmax(final double[] v) {
        int best = 0;
        for (int i = 1; i < v.length; i++) {
            if (v[i] > v[best]) {
                best = i;
            }
        }
        return best;
    }
}
