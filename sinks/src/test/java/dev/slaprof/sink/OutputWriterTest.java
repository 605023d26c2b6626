package dev.slaprof.sink;

import dev.slaprof.dynamo.DgdYaml;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.slaprof.domain.recommend.Recommender;
import dev.slaprof.domain.stats.Keys;
import dev.slaprof.domain.stats.LatencyStats;
import dev.slaprof.schema.LatencySamples;
import dev.slaprof.schema.Mappings;
import dev.slaprof.schema.SlaTargets;
import dev.slaprof.schema.avro.Backend;
import dev.slaprof.schema.avro.Deployment;
import dev.slaprof.schema.avro.LatencySample;
import dev.slaprof.schema.avro.Mapping;
import dev.slaprof.schema.avro.MappingLoadStats;
import dev.slaprof.schema.avro.Recommendation;
import dev.slaprof.schema.avro.Role;
import dev.slaprof.schema.avro.SlaTarget;
import dev.slaprof.schema.avro.SourceKind;
import dev.slaprof.schema.avro.Statistic;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The output folder: npz read back by real numpy, YAML compared with Dynamo's own sample, hostile names. */
class OutputWriterTest {
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Path REFERENCE = Path.of("../testdata/dynamo/aic_all/config_with_planner.yaml");

    @TempDir
    Path dir;

    static Recommendation recommendation(final Deployment d) {
        final List<MappingLoadStats> stats = new ArrayList<>();
        final int[] isls = {100, 2621, 3000, 5142, 7663};
        for (final int isl : isls) {
            add(stats, sample(d, Role.PREFILL, Mappings.tp(1), 1, isl, 5, 10 + isl / 10.0, 2.0));
        }
        add(stats, sample(d, Role.PREFILL, Mappings.tp(2), 1, 3000, 5, 170.0, 2.0));
        for (final int isl : new int[] {100, 3000, 6843}) {
            for (final int n : new int[] {1, 8, 16}) {
                add(stats, sample(d, Role.DECODE, Mappings.tp(2), n, isl, 500, 30.0, 10 + n * 0.5 + isl / 1000.0));
            }
        }
        final SlaTarget sla = SlaTargets.of("default", 500.0, 50.0, 3000, 500, Statistic.MEAN, 1, 8, 1, false);
        return Recommender.recommend(d, sla, stats, Map.of("TP=2", 502_272L), null, 1_000_000L);
    }

    private static LatencySample sample(final Deployment d, final Role role, final Mapping m, final int n,
                                        final int isl, final int osl, final double ttft, final double itl) {
        return LatencySamples.ok(d, role, m, LatencySamples.source(SourceKind.SIMULATED, "w", null), n, isl, osl,
            1_764_000_000_000_000L, ttft, itl);
    }

    private static void add(final List<MappingLoadStats> stats, final LatencySample s) {
        final var key = Keys.bucket(s);
        final MappingLoadStats m = LatencyStats.empty(s, key.getInFlight(), key.getIsl());
        stats.add(LatencyStats.add(m, s));
    }

    @Test
    void shouldWriteNpzFilesThatNumpyLoadsWithDynamosKeysDtypesAndShapes() throws Exception {
        final Deployment d = new Deployment("Qwen/Qwen3-32B", Backend.TRTLLM, "1.0", "H200-SXM", "v1");
        final Recommendation r = recommendation(d);
        final Path folder = new OutputWriter(dir).write(r);
        final String out = python(String.join("\n",
            "import sys, json, numpy as np",
            "p = np.load(sys.argv[1] + '/selected_prefill_interpolation/raw_data.npz')",
            "q = np.load(sys.argv[1] + '/selected_decode_interpolation/raw_data.npz')",
            "for n, z in (('prefill', p), ('decode', q)):",
            "    for k in sorted(z.files): print(n, k, z[k].dtype, z[k].shape, json.dumps(z[k].tolist()).replace(' ', ''))"),
            folder.toString());
        final var pt = r.getPrefillTable();
        final var dt = r.getDecodeTable();
        final Map<String, String> header = new HashMap<>();
        final Map<String, List<Double>> values = new HashMap<>();
        for (final String line : out.strip().split("\\R")) {
            final String[] f = line.split(" ", 5);
            header.put(f[0] + " " + f[1], f[2] + " " + f[3]);
            final List<Double> v = new ArrayList<>();
            JSON.readTree(f[4]).forEach(n -> v.add(n.asDouble()));
            values.put(f[0] + " " + f[1], v);
        }
        assertThat(header).containsExactlyInAnyOrderEntriesOf(Map.of(
            "prefill prefill_isl", "int64 (5,)", "prefill prefill_ttft", "float64 (5,)",
            "prefill prefill_thpt_per_gpu", "float64 (5,)", "decode x_kv_usage", "float64 (9,)",
            "decode y_context_length", "float64 (9,)", "decode z_itl", "float64 (9,)",
            "decode z_thpt_per_gpu", "float64 (9,)", "decode max_kv_tokens", "int64 (1,)"));
        assertThat(values.get("prefill prefill_isl")).containsExactlyElementsOf(
            pt.getPrefillIsl().stream().map(Long::doubleValue).toList());
        assertThat(values.get("prefill prefill_ttft")).containsExactlyElementsOf(pt.getPrefillTtft());
        assertThat(values.get("prefill prefill_thpt_per_gpu")).containsExactlyElementsOf(pt.getPrefillThptPerGpu());
        assertThat(values.get("decode x_kv_usage")).containsExactlyElementsOf(dt.getXKvUsage());
        assertThat(values.get("decode y_context_length")).containsExactlyElementsOf(dt.getYContextLength());
        assertThat(values.get("decode z_itl")).containsExactlyElementsOf(dt.getZItl());
        assertThat(values.get("decode z_thpt_per_gpu")).containsExactlyElementsOf(dt.getZThptPerGpu());
        assertThat(values.get("decode max_kv_tokens")).containsExactly(502_272.0);
    }

    @Test
    void shouldMatchTheStructureOfDynamosConfigWithPlanner() throws Exception {
        final Deployment d = new Deployment("Qwen/Qwen3-32B", Backend.TRTLLM, "1.0", "H200-SXM", "v1");
        final Path folder = new OutputWriter(dir).write(recommendation(d));
        final List<JsonNode> ours = docs(folder.resolve("config_with_planner.yaml"));
        final List<JsonNode> theirs = docs(REFERENCE);
        assertThat(ours).hasSize(2);
        assertThat(paths(ours.get(0))).isEqualTo(paths(theirs.get(0)));
        assertThat(paths(ours.get(1))).containsAll(paths(theirs.get(1)).stream()
            .filter(p -> !p.contains("dynamoNamespace")).toList());
        final JsonNode planner = ours.get(1).path("spec").path("services").path("Planner");
        assertThat(planner.path("extraPodSpec").path("mainContainer").path("args").toString())
            .contains("--prefill-engine-num-gpu=1", "--decode-engine-num-gpu=2", "--ttft=500", "--itl=50");
        final JsonNode decode = ours.get(1).path("spec").path("services").path("TRTLLMDecodeWorker");
        assertThat(decode.path("resources").path("limits").path("gpu").asText()).isEqualTo("2");
        assertThat(decode.path("extraPodSpec").path("mainContainer").path("args").toString())
            .contains("{\\\"tensor_parallel_size\\\": 2}");
        final JsonNode table = JSON.readTree(ours.get(0).path("data").path("decode_raw_data.json").asText());
        assertThat(table.path("max_kv_tokens").asLong()).isEqualTo(502_272L);
    }

    @Test
    void shouldDrawEveryPlotWithOneSeriesPerMapping() throws Exception {
        final Deployment d = new Deployment("Qwen/Qwen3-32B", Backend.VLLM, "", "H200-SXM", "");
        final Recommendation r = recommendation(d);
        final Path folder = new OutputWriter(dir).write(r);
        for (final String png : new String[] {"prefill_performance.png", "decode_performance.png", "cost_sla.png",
            "selected_prefill_interpolation/prefill_ttft_interpolation.png",
            "selected_prefill_interpolation/prefill_throughput_interpolation.png",
            "selected_decode_interpolation/decode_itl_interpolation.png",
            "selected_decode_interpolation/decode_throughput_interpolation.png"}) {
            final BufferedImage img = ImageIO.read(folder.resolve(png).toFile());
            assertThat(img).as(png).isNotNull();
            assertThat(img.getWidth()).isEqualTo(1000);
            assertThat(img.getHeight()).isEqualTo(650);
            assertThat(Files.size(folder.resolve(png))).as(png).isGreaterThan(15_000);
            assertThat(distinctColours(img)).as(png).isGreaterThan(20);
        }
        assertThat(Plots.performance(r, true, "").getXYPlot().getDataset().getSeriesCount()).isEqualTo(2);
        assertThat(Plots.performance(r, false, "").getXYPlot().getDataset().getSeriesCount()).isEqualTo(1);
        assertThat(Plots.performance(r, true, " (SIMULATED data)").getTitle().getText()).contains("SIMULATED");
    }

    private static int distinctColours(final BufferedImage img) {
        final Set<Integer> colours = new HashSet<>();
        for (int y = 0; y < img.getHeight(); y += 3) {
            for (int x = 0; x < img.getWidth(); x += 3) {
                colours.add(img.getRGB(x, y));
            }
        }
        return colours.size();
    }

    private static String args(final JsonNode services, final String name) {
        assertThat(services.has(name)).as("service %s in %s", name, services.fieldNames()).isTrue();
        return services.path(name).path("extraPodSpec").path("mainContainer").path("args").toString();
    }

    @Test
    void shouldWriteEachBackendsWorkersAsItsDisaggTemplateNamesThem() {
        final Function<Backend, JsonNode> services = be -> {
            final Recommendation r = recommendation(new Deployment("Qwen/Qwen3-30B-A3B", be, "", "H200-SXM", ""));
            r.getPrefill().getPoint().setMapping(Mappings.tep(4));
            r.getDecode().getPoint().setMapping(Mappings.dep(8));
            return DgdYaml.deployment(r).path("spec").path("services");
        };
        final JsonNode vllm = services.apply(Backend.VLLM);
        assertThat(args(vllm, "VllmPrefillWorker")).contains("\"--model\",\"Qwen/Qwen3-30B-A3B\"",
            "\"--tensor-parallel-size\",\"4\"", "--enable-expert-parallel", "--is-prefill-worker")
            .doesNotContain("--model-path");
        assertThat(args(vllm, "VllmDecodeWorker")).contains("\"--data-parallel-size\",\"8\"");
        final JsonNode sglang = services.apply(Backend.SGLANG);
        assertThat(args(sglang, "prefill")).contains("\"--model-path\",\"Qwen/Qwen3-30B-A3B\"",
            "\"--served-model-name\",\"Qwen/Qwen3-30B-A3B\"", "\"--page-size\",\"16\"",
            "\"--disaggregation-mode\",\"prefill\"", "\"--disaggregation-transfer-backend\",\"nixl\"",
            "\"--disaggregation-bootstrap-port\",\"12345\"", "\"--tp\",\"4\"", "\"--ep\",\"4\"");
        assertThat(args(sglang, "decode")).contains("\"--tp\",\"8\"", "\"--dp\",\"8\"", "--enable-dp-attention");
        final JsonNode trt = services.apply(Backend.TRTLLM);
        assertThat(args(trt, "TRTLLMPrefillWorker")).contains("\"--extra-engine-args\","
            + "\"./examples/backends/trtllm/engine_configs/qwen3/prefill.yaml\"",
            "{\\\"tensor_parallel_size\\\": 4, \\\"moe_expert_parallel_size\\\": 4, \\\"enable_attention_dp\\\": false}");
        assertThat(args(trt, "TRTLLMDecodeWorker")).contains("engine_configs/qwen3/decode.yaml",
            "{\\\"tensor_parallel_size\\\": 8, \\\"moe_expert_parallel_size\\\": 8, \\\"enable_attention_dp\\\": true}");
    }

    @Test
    void shouldLayOutWorkersWiderThanANodeOnSeveralNodes() {
        final Deployment d = new Deployment("Qwen/Qwen3-32B", Backend.VLLM, "", "H200-SXM", "");
        final JsonNode services = DgdYaml.deployment(recommendation(d), 1).path("spec").path("services");
        final JsonNode decode = services.path("VllmDecodeWorker");
        assertThat(decode.path("multinode").path("nodeCount").asInt()).isEqualTo(2);
        assertThat(decode.path("resources").path("limits").path("gpu").asText()).isEqualTo("1");
        assertThat(services.path("VllmPrefillWorker").has("multinode")).isFalse();
        assertThat(DgdYaml.deployment(recommendation(d)).path("spec").path("services").path("VllmDecodeWorker")
            .has("multinode")).isFalse();
    }

    @Test
    void shouldKeepHostileModelNamesInsideTheOutputFolderAndQuoted() throws Exception {
        // check-paths: not a path the test reads, a hostile model name that must stay inside the output folder
        final String hostile = "../../etc/passwd\n\"quoted\": &anchor *anchor {x: [1]}";
        final Deployment d = new Deployment(hostile, Backend.VLLM, "", "../H200", "..");
        final Path folder = new OutputWriter(dir).write(recommendation(d));
        assertThat(folder.toAbsolutePath().normalize()).startsWith(dir.toAbsolutePath().normalize());
        assertThat(folder.getParent().getParent()).isEqualTo(dir);
        final List<JsonNode> docs = docs(folder.resolve("config_with_planner.yaml"));
        final JsonNode args = docs.get(1).path("spec").path("services").path("VllmDecodeWorker")
            .path("extraPodSpec").path("mainContainer").path("args");
        assertThat(args.get(1).asText()).isEqualTo(hostile);
        final JsonNode rec = JSON.readTree(folder.resolve("recommendation.json").toFile());
        assertThat(rec.path("deployment").path("model").asText()).isEqualTo(hostile);
        try (Stream<Path> all = Files.walk(dir)) {
            assertThat(all.filter(p -> p.getFileName().toString().startsWith(".tmp-"))).isEmpty();
        }
    }

    @Test
    void shouldReplaceTheFolderOnEveryWrite() throws IOException {
        final Deployment d = new Deployment("m", Backend.VLLM, "", "H200-SXM", "");
        final OutputWriter w = new OutputWriter(dir);
        final Path first = w.write(recommendation(d));
        Files.writeString(first.resolve("stale.txt"), "old");
        final Path second = w.write(recommendation(d));
        assertThat(second).isEqualTo(first);
        assertThat(second.resolve("stale.txt")).doesNotExist();
        try (Stream<Path> siblings = Files.list(second.getParent())) {
            assertThat(siblings).hasSize(1);
        }
    }

    private static List<JsonNode> docs(final Path yaml) throws IOException {
        final List<JsonNode> out = new ArrayList<>();
        try (var it = YAML.readerFor(JsonNode.class).<JsonNode>readValues(yaml.toFile())) {
            it.forEachRemaining(out::add);
        }
        return out;
    }

    /** Every path to a non-null leaf, arrays collapsed to []. */
    private static TreeSet<String> paths(final JsonNode n) {
        final TreeSet<String> out = new TreeSet<>();
        walk(n, "", out);
        return out;
    }

    private static void walk(final JsonNode n, final String prefix, final TreeSet<String> out) {
        if (n.isObject()) {
            for (final Iterator<Map.Entry<String, JsonNode>> it = n.fields(); it.hasNext();) {
                final var e = it.next();
                if (!e.getValue().isNull()) {
                    walk(e.getValue(), prefix + "/" + e.getKey(), out);
                }
            }
        } else if (n.isArray()) {
            out.add(prefix + "[]");
            n.forEach(c -> walk(c, prefix + "[]", out));
        } else {
            out.add(prefix);
        }
    }

    private static String python(final String script, final String arg) throws Exception {
        final Process p = new ProcessBuilder("python3", "-c", script, arg).redirectErrorStream(true).start();
        final String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(out).isZero();
        return out;
    }

    /** Dynamo's planner cannot build its cubic from 3 prefill points: the table is refused, its reason kept. */
    @Test
    void shouldRefuseAPrefillTableOfFewerThanFourPoints() throws Exception {
        final Deployment d = new Deployment("Qwen/Qwen3-32B", Backend.VLLM, "", "H200-SXM", "few");
        final List<MappingLoadStats> stats = new ArrayList<>();
        for (final int isl : new int[] {100, 3000, 7663}) {
            add(stats, sample(d, Role.PREFILL, Mappings.tp(1), 1, isl, 5, 10 + isl / 10.0, 2.0));
        }
        for (final int n : new int[] {1, 8, 16}) {
            add(stats, sample(d, Role.DECODE, Mappings.tp(1), n, 3000, 500, 30.0, 10 + n * 0.5));
            add(stats, sample(d, Role.DECODE, Mappings.tp(1), n, 6843, 500, 30.0, 12 + n * 0.5));
        }
        final SlaTarget sla = SlaTargets.of("default", 500.0, 50.0, 3000, 500, Statistic.MEAN, 1, 8, 1, false);
        final Path folder = new OutputWriter(dir).write(Recommender.recommend(d, sla, stats, Map.of("TP=1", 502_272L),
            null, 1_000_000L));
        assertThat(folder.resolve("selected_prefill_interpolation")).doesNotExist();
        assertThat(folder.resolve("prefill_raw_data.json")).doesNotExist();
        assertThat(folder.resolve("selected_decode_interpolation/raw_data.npz")).isRegularFile();
        final JsonNode rec = JSON.readTree(folder.resolve("recommendation.json").toFile());
        assertThat(rec.path("prefill_table").path("reason").asText()).contains("only 3 prefill ISL points");
        // No profile-data ConfigMap without both tables; the DGD of the picks is still written.
        final List<JsonNode> docs = docs(folder.resolve("config_with_planner.yaml"));
        assertThat(docs).hasSize(1);
        assertThat(docs.get(0).path("kind").asText()).isEqualTo("DynamoGraphDeployment");
    }

    /** As Dynamo's profiler: no prefill results, no DGD. */
    @Test
    void shouldWriteNoDgdWhenASideHasNoPoints() throws Exception {
        final Deployment d = new Deployment("Qwen/Qwen3-32B", Backend.VLLM, "", "H200-SXM", "decode-only");
        final List<MappingLoadStats> stats = new ArrayList<>();
        for (final int n : new int[] {1, 8, 16}) {
            add(stats, sample(d, Role.DECODE, Mappings.tp(1), n, 3000, 500, 30.0, 10 + n * 0.5));
        }
        final SlaTarget sla = SlaTargets.of("default", 500.0, 50.0, 3000, 500, Statistic.MEAN, 1, 8, 1, false);
        final Recommendation r = Recommender.recommend(d, sla, stats, Map.of("TP=1", 502_272L), null, 1_000_000L);
        assertThat(r.getPrefill()).isNull();
        final Path folder = new OutputWriter(dir).write(r);
        assertThat(folder.resolve("config_with_planner.yaml")).doesNotExist();
        assertThat(JSON.readTree(folder.resolve("recommendation.json").toFile()).path("warnings").toString())
            .contains("No prefill results produced");
    }
}
