package dev.slaprof.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ./slaprof run --config} on a Dynamo 1.x request (v1beta1) with a non-default SLA, workload, budget and the
 * mocker: the printed profile, recommendation.json's {@code sla} and the files carry the requested values;
 * final_config.yaml is read with PyYAML and its tables through the planner's own reading rules with numpy (interop
 * spec sections 3 and 4), and the mocker npz is checked with numpy (section 5).
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class V1beta1RunIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Path REQUEST = Path.of("../../dynamo/src/test/resources/dgdr-v1beta1/custom.yaml");

    /** The planner's reading (section 4.1-4.2) of final_config.yaml and the mocker npz, as facts to compare. */
    private static final String ORACLE = String.join("\n",
        "import sys, json, yaml, numpy as np",
        "d = sys.argv[1]",
        "docs = list(yaml.safe_load_all(open(d + '/final_config.yaml')))",
        "print('docs ' + json.dumps([[x['kind'], x['metadata']['name']] for x in docs]))",
        "pc = json.loads(docs[0]['data']['planner_config.json'])",
        "print('planner ' + json.dumps(pc, sort_keys=True))",
        "comps = {c['name']: c for c in docs[2]['spec']['components']}",
        "print('components ' + json.dumps({n: [c['type'], c['replicas'], c['podTemplate']['spec']['containers'][0]"
            + "['command'][2]] for n, c in comps.items()}, sort_keys=True))",
        "pre = comps['prefill']['podTemplate']['spec']",
        "print('mocker_mount ' + json.dumps([pre['containers'][0]['volumeMounts'][0]['mountPath'],"
            + " pre['volumes'][0]['configMap']['name']]))",
        "p = json.loads(docs[1]['data']['prefill_raw_data.json'])",
        "q = json.loads(docs[1]['data']['decode_raw_data.json'])",
        "x = np.array(p['prefill_isl'], float); y = np.array(p['prefill_ttft']) / 1000",
        "a, b = np.linalg.lstsq(np.vstack([np.ones_like(x), x]).T, y, rcond=None)[0]",
        "mk = int(q['max_kv_tokens'])",
        "kv = [int(round(u * mk)) for u in q['x_kv_usage']]",
        "bs = [max(1, int(round(k / c))) if c > 0 else 1 for k, c in zip(kv, q['y_context_length'])]",
        "wt = np.array(q['z_itl']) / 1000",
        "c0, c1, c2 = np.linalg.lstsq(np.vstack([np.ones(len(kv)), bs, kv]).T, wt, rcond=None)[0]",
        "print('fits %r %r %r %r %r' % (float(a), float(b), float(c0), float(c1), float(c2)))",
        "z = np.load(d + '/mocker_profile_data.npz')",
        "print('npz ' + json.dumps({k: [str(z[k].dtype), list(z[k].shape)] for k in z.files}, sort_keys=True))",
        "K, C, I = z['decode_active_kv_tokens'], z['decode_context_length'], z['decode_itl']",
        "pred = 1000 * np.maximum(1e-6, c0 + max(0.0, c1) * np.maximum(1, K[:, None] / C[None, :]) + c2 * K[:, None])",
        "print('itl_rel %r' % float(np.max(np.abs(I - pred) / pred)))",
        "pt = 1000 * np.maximum(1e-6, a + b * z['prefill_isl'])",
        "print('ttft_rel %r' % float(np.max(np.abs(z['prefill_ttft_ms'] - pt) / pt)))",
        "inc = all(bool(np.all(np.diff(z[k]) > 0)) for k in ('prefill_isl', 'decode_active_kv_tokens',"
            + " 'decode_context_length'))",
        "print('increasing %s' % inc)",
        "print('axes %r %r %r %r' % (float(K[0]), float(K[-1]), float(C[0]), float(C[-1])))");

    @TempDir
    Path dir;

    @Test
    void shouldProfileTheRequestedValuesAndWriteDynamo1xFiles() throws Exception {
        final CliRunner.Outcome o = CliRunner.run("run", "--config", REQUEST.toString(), "--output-dir",
            dir.toString(), "--ui-port", "0");
        assertThat(o.exitCode()).as(o.output()).isZero();
        assertThat(o.output()).contains("SLA TTFT 400.0 ms ITL 25.0 ms at ISL 2000 OSL 300",
            "picking mode load-match, load 12.000 req/s, budget 6 GPUs, Dynamo files v1beta1 + mocker",
            "WARNING spec.tenant is not a v1beta1 profiling field slaprof knows; ignored",
            "why: load-match: 12.000 req/s needs ");
        final Path folder = dir.resolve("Qwen_Qwen3-32B__vllm__H200-SXM__sim/default");
        final JsonNode rec = JSON.readTree(folder.resolve("recommendation.json").toFile());
        final JsonNode sla = rec.path("sla");
        assertThat(sla.path("ttft_ms").asDouble()).isEqualTo(400.0);
        assertThat(sla.path("itl_ms").asDouble()).isEqualTo(25.0);
        assertThat(sla.path("isl").asInt()).isEqualTo(2000);
        assertThat(sla.path("osl").asInt()).isEqualTo(300);
        assertThat(sla.path("request_rate").asDouble()).isEqualTo(12.0);
        assertThat(sla.path("total_gpus").asInt()).isEqualTo(6);
        assertThat(sla.path("picking_mode").asText()).isEqualTo("LOAD_MATCH");
        assertThat(sla.path("dynamo_api").asText()).isEqualTo("v1beta1");
        final JsonNode pick = rec.path("mode_pick");
        assertThat(pick.path("mode").asText()).isEqualTo("LOAD_MATCH");
        final JsonNode best = pick.path("rows").get(0);
        assertThat(best.path("total_gpus").asInt()).as("within the budget").isLessThanOrEqualTo(6);
        // The answer printed first is the recommendation's first row (which one it is, is the model's business).
        assertThat(o.output()).contains(String.format(Locale.ROOT,
            "recommended deployment: %d x %s prefill + %d x %s decode at %d in flight, %d GPUs",
            best.path("prefill_replicas").asInt(), best.path("prefill_label").asText(),
            best.path("decode_replicas").asInt(), best.path("decode_label").asText(),
            best.path("decode_in_flight").asInt(), best.path("total_gpus").asInt()));
        // Capped to the budget when it cannot serve the whole load: the replicas serve the share it names.
        final double served = pick.path("load_served_pct").isNumber() ? pick.path("load_served_pct").asDouble() : 100;
        assertThat(best.path("prefill_replicas").asInt() * best.path("seq_per_s").asDouble())
            .as("the replicas serve %.1f %% of the requested 12 req/s", served)
            .isGreaterThanOrEqualTo(12.0 * served / 100 * 0.99);
        assertThat(Files.exists(folder.resolve("config_with_planner.yaml"))).isFalse();
        assertThat(Files.readString(folder.resolve("profiler_status.yaml"))).contains("status: success",
            "final_config: final_config.yaml", "phase: Done");

        final Map<String, String> v = new HashMap<>();
        for (final String line : Python.run(ORACLE, folder.toString()).strip().split("\n")) {
            final int sp = line.indexOf(' ');
            v.put(line.substring(0, sp), line.substring(sp + 1));
        }
        final JsonNode docs = JSON.readTree(v.get("docs"));
        assertThat(docs.get(0).get(0).asText()).isEqualTo("ConfigMap");
        assertThat(docs.get(0).get(1).asText()).matches("planner-config-[0-9a-f]{4}");
        assertThat(docs.get(1).get(1).asText()).matches("planner-profile-data-[0-9a-f]{4}");
        assertThat(docs.get(2).get(0).asText()).isEqualTo("DynamoGraphDeployment");
        assertThat(docs.get(2).get(1).asText()).isEqualTo("qwen32b-custom-dgd");
        final JsonNode pc = JSON.readTree(v.get("planner"));
        assertThat(pc.path("optimization_target").asText()).isEqualTo("sla");
        assertThat(pc.path("enable_throughput_scaling").asBoolean()).isTrue();
        assertThat(pc.path("pre_deployment_sweeping_mode").asText()).isEqualTo("thorough");
        assertThat(pc.path("profile_results_dir").asText()).isEqualTo("/workspace/profiling_results");
        assertThat(pc.path("ttft_ms").asDouble()).isEqualTo(400.0);
        assertThat(pc.path("itl_ms").asDouble()).isEqualTo(25.0);
        assertThat(pc.path("max_gpu_budget").asInt()).isEqualTo(6);
        assertThat(pc.path("prefill_engine_num_gpu").asInt()).isEqualTo(best.path("gpus_per_unit").asInt()
            - pc.path("decode_engine_num_gpu").asInt());
        assertThat(pc.has("aic_interpolation")).isFalse();
        final JsonNode comps = JSON.readTree(v.get("components"));
        assertThat(comps.path("prefill").toString()).isEqualTo("[\"prefill\","
            + best.path("prefill_replicas").asInt() + ",\"dynamo.mocker\"]");
        assertThat(comps.path("decode").get(2).asText()).isEqualTo("dynamo.mocker");
        assertThat(v.get("mocker_mount")).isEqualTo("[\"/workspace/profiling_results\", \"" + docs.get(1).get(1)
            .asText() + "\"]");
        assertThat(JSON.readTree(v.get("npz")).toString()).isEqualTo("{\"decode_active_kv_tokens\":[\"float64\",[100]],"
            + "\"decode_context_length\":[\"float64\",[100]],\"decode_itl\":[\"float64\",[100,100]],"
            + "\"prefill_isl\":[\"float64\",[100]],\"prefill_ttft_ms\":[\"float64\",[100]]}");
        // The mocker's tables are the planner's own fits of the written tables (numpy's least squares as oracle),
        // decode_itl indexed [kv][ctx].
        assertThat(Double.parseDouble(v.get("itl_rel"))).isLessThan(1e-9);
        assertThat(Double.parseDouble(v.get("ttft_rel"))).isLessThan(1e-9);
        assertThat(v.get("increasing")).isEqualTo("True");
        final String[] axes = v.get("axes").split(" ");
        assertThat(Double.parseDouble(axes[0])).isZero();
        assertThat(Double.parseDouble(axes[1])).isEqualTo(rec.path("decode_table").path("max_kv_tokens").asDouble());
        assertThat(Double.parseDouble(axes[2])).isEqualTo(1.0);
    }

    @Test
    void shouldRefuseAContradictionNamingBothFields() throws Exception {
        final Path f = dir.resolve("bad.yaml");
        Files.writeString(f, "apiVersion: nvidia.com/v1beta1\nkind: DynamoGraphDeploymentRequest\nmetadata: {name: b}\n"
            + "spec:\n  model: Qwen/Qwen3-32B\n  workload: {requestRate: 5, concurrency: 20}\n");
        final CliRunner.Outcome o = CliRunner.run("run", "--config", f.toString(), "--output-dir", dir.toString(),
            "--ui-port", "0");
        assertThat(o.exitCode()).isNotZero();
        assertThat(o.output().strip().lines().filter(l -> l.contains("error")).toList()).singleElement().asString()
            .contains("spec.workload.requestRate and spec.workload.concurrency are mutually exclusive");
        final CliRunner.Outcome budget = CliRunner.run("run", "--total-gpus", "1", "--min-num-gpus-per-engine", "2",
            "--output-dir", dir.toString(), "--ui-port", "0");
        assertThat(budget.exitCode()).isNotZero();
        assertThat(budget.output()).contains("--total-gpus (hardware.totalGpus) 1 is smaller than the smallest engine "
            + "(TP=2, 2 GPUs");
    }
}
