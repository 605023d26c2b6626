package dev.slaprof.sink;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.slaprof.domain.recommend.PlannerRegression;
import dev.slaprof.schema.avro.Backend;
import dev.slaprof.schema.avro.DecodeTable;
import dev.slaprof.schema.avro.Mapping;
import dev.slaprof.schema.avro.ModeRow;
import dev.slaprof.schema.avro.PerfPoint;
import dev.slaprof.schema.avro.PrefillTable;
import dev.slaprof.schema.avro.Recommendation;
import dev.slaprof.schema.avro.SlaTarget;
import dev.slaprof.schema.avro.Strategy;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Dynamo 1.x's profiler outputs (interop spec section 3) for a recommendation: {@code final_config.yaml} (the
 * {@code planner-config-<hex4>} ConfigMap with a PlannerConfig that makes the planner use slaprof's profile, the
 * {@code planner-profile-data-<hex4>} ConfigMap with the two tables, then a {@code nvidia.com/v1beta1}
 * DynamoGraphDeployment of the picking mode's engines and replicas), {@code picked_dgd_config.yaml},
 * {@code profiler_status.yaml}, and with the mocker on its DGD and npz (section 5). Built as trees.
 */
public final class DynamoV1beta1 {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Dynamo release whose images the generated components name when the request gives none. */
    public static final String DEFAULT_IMAGE = "nvcr.io/nvidia/ai-dynamo/dynamo-planner:1.4.0";
    static final String WORKSPACE = "/workspace";
    static final String PROFILE_DIR = WORKSPACE + "/profiling_results";
    static final String PLANNER_CONFIG_DIR = WORKSPACE + "/planner_config";
    /**
     * The PlannerConfig values that make Dynamo's planner read slaprof's files (section 3.3): written over whatever
     * a request asks for (besides these, the engines' GPU counts are set and any AI Configurator model removed).
     */
    public static ObjectNode readsProfileFiles() {
        return JSON.createObjectNode().put("optimization_target", "sla").put("enable_throughput_scaling", true)
            .put("pre_deployment_sweeping_mode", "thorough").put("profile_results_dir", PROFILE_DIR);
    }
    /** Grid size of the mocker's tables. */
    static final int MOCKER_POINTS = 100;

    private DynamoV1beta1() {
    }

    /** The engines and replicas the v1beta1 DGD deploys: a pin's, else the picking mode's, else the classic picks. */
    record Choice(PerfPoint prefill, PerfPoint decode, int prefillReplicas, int decodeReplicas) {
    }

    static Choice choice(final Recommendation r) {
        if (r.getPinned() == null && r.getModePick() != null && !r.getModePick().getRows().isEmpty()) {
            final ModeRow m = r.getModePick().getRows().get(0);
            return new Choice(r.getPrefillPoints().get(m.getPrefillIndex()), r.getDecodePoints().get(m.getDecodeIndex()),
                m.getPrefillReplicas(), m.getDecodeReplicas());
        }
        return new Choice(r.getPrefill().getPoint(), r.getDecode().getPoint(), 1, 1);
    }

    /** 4 hex digits naming a ConfigMap: stable per deployment, profile and kind (Dynamo draws them at random). */
    static String suffix(final Recommendation r, final String kind) {
        try {
            final byte[] h = MessageDigest.getInstance("SHA-256").digest((SafeNames.deployment(r.getDeployment())
                + '\u001f' + r.getSla().getProfile() + '\u001f' + kind).getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(h, 0, 2);
        } catch (final NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** An image of the request's registry and tag with the name component replaced (section 3.4). */
    static String image(final SlaTarget sla, final String name) {
        final String base = sla.getImage().isEmpty() ? DEFAULT_IMAGE : sla.getImage();
        final int slash = base.lastIndexOf('/');
        final int colon = base.lastIndexOf(':');
        final String registry = slash < 0 ? "" : base.substring(0, slash + 1);
        final String tag = colon > slash ? base.substring(colon) : "";
        return registry + name + tag;
    }

    static String runtimeImage(final Recommendation r) {
        return image(r.getSla(), switch (r.getDeployment().getBackend()) {
            case SGLANG -> "sglang-runtime";
            case TRTLLM -> "tensorrtllm-runtime";
            default -> "vllm-runtime";
        });
    }

    /** The PlannerConfig JSON: Dynamo's defaults, the request's fields, then the keys that point it at the files. */
    static ObjectNode plannerConfig(final Recommendation r, final Choice c) {
        final SlaTarget sla = r.getSla();
        final ObjectNode cfg = JSON.createObjectNode();
        cfg.put("backend", r.getDeployment().getBackend().name().toLowerCase(Locale.ROOT)).put("mode", "disagg")
            .put("environment", "kubernetes").put("ttft_ms", sla.getTtftMs()).put("itl_ms", sla.getItlMs())
            .put("max_gpu_budget", sla.getTotalGpus() > 0 ? sla.getTotalGpus() : 8).put("min_endpoint", 1)
            .put("throughput_adjustment_interval_seconds", 180).put("load_predictor", "arima");
        if (!sla.getPlannerConfig().isEmpty()) {
            try {
                final JsonNode given = JSON.readTree(sla.getPlannerConfig());
                for (final Iterator<Map.Entry<String, JsonNode>> it = given.fields(); it.hasNext();) {
                    final Map.Entry<String, JsonNode> e = it.next();
                    cfg.set(e.getKey(), e.getValue());
                }
            } catch (final JsonProcessingException e) {
                throw new IllegalStateException("planner_config of profile " + sla.getProfile() + " is not JSON", e);
            }
        }
        // The planner reads the profile files only so (section 3.3): throughput scaling on, thorough sweeping, no AIC
        // model, the files' mount path and the engines' GPU counts.
        cfg.setAll(readsProfileFiles());
        cfg.put("prefill_engine_num_gpu", c.prefill().getMapping().getGpus())
            .put("decode_engine_num_gpu", c.decode().getMapping().getGpus());
        cfg.remove("aic_interpolation");
        cfg.remove("aic_perf_model");
        return cfg;
    }

    /** The documents of final_config.yaml, in Dynamo's order. */
    static List<JsonNode> finalConfig(final Recommendation r, final String prefillJson, final String decodeJson,
                                      final int gpusPerNode) {
        final Choice c = choice(r);
        final List<JsonNode> docs = new ArrayList<>();
        final String plannerCm = "planner-config-" + suffix(r, "planner-config");
        final String dataCm = "planner-profile-data-" + suffix(r, "planner-profile-data");
        final ObjectNode planner = JSON.createObjectNode().put("apiVersion", "v1").put("kind", "ConfigMap");
        planner.putObject("metadata").put("name", plannerCm);
        planner.putObject("data").put("planner_config.json", plannerConfig(r, c).toString());
        docs.add(planner);
        final boolean tables = prefillJson != null || decodeJson != null;
        if (tables) {
            final ObjectNode data = JSON.createObjectNode().put("apiVersion", "v1").put("kind", "ConfigMap");
            data.putObject("metadata").put("name", dataCm);
            final ObjectNode d = data.putObject("data");
            if (prefillJson != null) {
                d.put("prefill_raw_data.json", prefillJson);
            }
            if (decodeJson != null) {
                d.put("decode_raw_data.json", decodeJson);
            }
            docs.add(data);
        }
        docs.add(r.getSla().getMocker() ? mockerDgd(r, tables ? dataCm : null, plannerCm, c)
            : deployment(r, c, gpusPerNode, plannerCm, tables ? dataCm : null));
        return docs;
    }

    private static ObjectNode dgdShell(final Recommendation r) {
        final ObjectNode dgd = JSON.createObjectNode().put("apiVersion", "nvidia.com/v1beta1")
            .put("kind", "DynamoGraphDeployment");
        dgd.putObject("metadata").put("name", r.getSla().getDgdName().isEmpty()
            ? r.getDeployment().getBackend().name().toLowerCase(Locale.ROOT) + "-disagg" : r.getSla().getDgdName());
        return dgd;
    }

    private static ObjectNode component(final ArrayNode components, final String name, final String type,
                                        final int replicas) {
        return components.addObject().put("name", name).put("type", type).put("replicas", replicas);
    }

    private static ObjectNode main(final ObjectNode component, final String image, final String workingDir,
                                   final String... command) {
        final ObjectNode c = component.putObject("podTemplate").putObject("spec").putArray("containers").addObject()
            .put("name", "main").put("image", image).put("workingDir", workingDir);
        final ArrayNode cmd = c.putArray("command");
        for (final String s : command) {
            cmd.add(s);
        }
        return c;
    }

    /** The picked DGD: Frontend, the backend's prefill and decode workers with the mode's replicas, the Planner. */
    static ObjectNode deployment(final Recommendation r, final Choice c, final int gpusPerNode,
                                 final String plannerCm, final String dataCm) {
        final ObjectNode dgd = dgdShell(r);
        final ArrayNode comps = dgd.putObject("spec").putArray("components");
        final String runtime = runtimeImage(r);
        main(component(comps, "Frontend", "frontend", 1), runtime, WORKSPACE, "python3", "-m", "dynamo.frontend");
        worker(comps, r, "prefill", c.prefill().getMapping(), c.prefillReplicas(), runtime, gpusPerNode);
        worker(comps, r, "decode", c.decode().getMapping(), c.decodeReplicas(), runtime, gpusPerNode);
        if (plannerCm != null) {
            final ObjectNode p = component(comps, "Planner", "planner", 1);
            final ObjectNode m = main(p, image(r.getSla(), "dynamo-planner"), WORKSPACE
                + "/components/src/dynamo/planner", "python3", "-m", "dynamo.planner");
            m.putArray("args").add("--config").add(PLANNER_CONFIG_DIR + "/planner_config.json");
            final ArrayNode mounts = m.putArray("volumeMounts");
            mounts.addObject().put("name", plannerCm).put("mountPath", PLANNER_CONFIG_DIR).put("readOnly", true);
            final ArrayNode vols = ((ObjectNode) p.path("podTemplate").path("spec")).putArray("volumes");
            vols.addObject().put("name", plannerCm).putObject("configMap").put("name", plannerCm);
            if (dataCm != null) {
                mounts.addObject().put("name", dataCm).put("mountPath", PROFILE_DIR).put("readOnly", true);
                vols.addObject().put("name", dataCm).putObject("configMap").put("name", dataCm);
            }
        }
        return dgd;
    }

    /** Worker component names of the current templates (section 3.4). */
    static String workerName(final Backend be, final String role) {
        return be == Backend.VLLM ? ("prefill".equals(role) ? "VllmPrefillWorker" : "VllmDecodeWorker") : role;
    }

    private static void worker(final ArrayNode comps, final Recommendation r, final String role, final Mapping m,
                               final int replicas, final String image, final int gpusPerNode) {
        final Backend be = r.getDeployment().getBackend();
        final ObjectNode w = component(comps, workerName(be, role), role, replicas);
        final String model = r.getDeployment().getModel();
        final ObjectNode main = switch (be) {
            case SGLANG -> main(w, image, WORKSPACE, "python3", "-m", "dynamo.sglang");
            case TRTLLM -> main(w, image, WORKSPACE, "python3", "-m", "dynamo.trtllm");
            default -> main(w, image, WORKSPACE, "python3", "-m", "dynamo.vllm");
        };
        final ArrayNode args = main.putArray("args");
        final boolean dep = m.getStrategy() == Strategy.DEP;
        final boolean ep = m.getStrategy() != Strategy.TP;
        final int tp = dep ? m.getGpus() : m.getTp();
        switch (be) {
            case SGLANG -> DgdYaml.sglang(args, role, m, model);
            case TRTLLM -> {
                args.add("--model-path").add(model).add("--served-model-name").add(model).add("--extra-engine-args")
                    .add(DgdYaml.TRTLLM_ENGINE_CONFIGS + role + ".yaml").add("--disaggregation-mode").add(role)
                    .add("--trtllm.tensor_parallel_size").add(Integer.toString(tp))
                    .add("--trtllm.enable_chunked_prefill").add("true");
                if (ep) {
                    args.add("--trtllm.moe_expert_parallel_size").add(Integer.toString(m.getEp()))
                        .add("--trtllm.enable_attention_dp").add(Boolean.toString(dep));
                }
            }
            default -> {
                DgdYaml.vllm(args, m, model);
                args.add("--disaggregation-mode").add(role);
                if ("prefill".equals(role)) {
                    args.add("--kv-transfer-config").add("{\"kv_connector\":\"NixlConnector\",\"kv_role\":\"kv_both\"}");
                }
            }
        }
        main.putObject("resources").putObject("limits").put("nvidia.com/gpu",
            Integer.toString(Math.min(m.getGpus(), gpusPerNode)));
        if (m.getGpus() > gpusPerNode) {
            w.putObject("multinode").put("nodeCount", (m.getGpus() + gpusPerNode - 1) / gpusPerNode);
        }
    }

    /** The mocker DGD (section 5.3): Frontend and mocker prefill/decode workers reading the profile files. */
    static ObjectNode mockerDgd(final Recommendation r, final String dataCm, final String plannerCm, final Choice c) {
        final ObjectNode dgd = dgdShell(r);
        final ArrayNode comps = dgd.putObject("spec").putArray("components");
        final String image = r.getSla().getImage().isEmpty() ? DEFAULT_IMAGE : r.getSla().getImage();
        main(component(comps, "Frontend", "frontend", 1), image, WORKSPACE, "python3", "-m", "dynamo.frontend");
        final String model = r.getDeployment().getModel();
        for (final String role : List.of("prefill", "decode")) {
            final ObjectNode w = component(comps, role, role, "prefill".equals(role) ? c.prefillReplicas()
                : c.decodeReplicas());
            final ObjectNode m = main(w, image, WORKSPACE, "python3", "-m", "dynamo.mocker");
            final ArrayNode args = m.putArray("args").add("--model-path").add(model).add("--model-name").add(model)
                .add("--speedup-ratio").add("1.0").add("--disaggregation-mode").add(role);
            if (dataCm != null) {
                args.add("--planner-profile-data").add(PROFILE_DIR);
                m.putArray("volumeMounts").addObject().put("name", dataCm).put("mountPath", PROFILE_DIR)
                    .put("readOnly", true);
                ((ObjectNode) w.path("podTemplate").path("spec")).putArray("volumes").addObject().put("name", dataCm)
                    .putObject("configMap").put("name", dataCm);
            }
        }
        return dgd;
    }

    /** profiler_status.yaml of a finished profile (section 3.5). */
    static ObjectNode status(final Recommendation r) {
        final ObjectNode s = JSON.createObjectNode().put("status", "success").put("timestamp",
            DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss'Z'").withZone(ZoneOffset.UTC)
                .format(Instant.ofEpochSecond(r.getGeneratedAtUs() / 1_000_000)));
        s.put("message", "Profiler completed successfully");
        s.putObject("outputs").put("final_config", "final_config.yaml");
        s.put("phase", "Done");
        return s;
    }

    /**
     * The mocker's npz (section 5.1) from the planner's own fits of the tables, as Dynamo's newest converter builds
     * it: {@code prefill_isl} and {@code prefill_ttft_ms} on 100 ISLs, {@code decode_active_kv_tokens} (100, 0 to
     * max kv), {@code decode_context_length} (100, 1 to the largest context) and {@code decode_itl[kv][ctx]} ms.
     * Null when a fit is not ready (the reason is in {@code reason[0]}).
     */
    static NpzWriter mockerNpz(final PrefillTable p, final DecodeTable d, final String[] reason) {
        final PlannerRegression.Prefill pf = PlannerRegression.prefill(p);
        final PlannerRegression.Decode df = PlannerRegression.decode(d);
        if (!pf.ready() || !df.ready()) {
            reason[0] = !pf.ready() ? "prefill fit: " + pf.reason() : "decode fit: " + df.reason();
            return null;
        }
        final double minIsl = p.getPrefillIsl().stream().mapToLong(Long::longValue).min().orElse(0);
        final double maxIsl = p.getPrefillIsl().stream().mapToLong(Long::longValue).max().orElse(0);
        final List<Double> isl = linspace(minIsl, maxIsl);
        final List<Double> ttft = new ArrayList<>();
        isl.forEach(x -> ttft.add(1000 * pf.wallTime(x)));
        final double maxCtx = d.getYContextLength().stream().mapToDouble(Double::doubleValue).max().orElse(1);
        final List<Double> kv = linspace(0, d.getMaxKvTokens());
        final List<Double> ctx = linspace(1, maxCtx);
        final double[][] itl = new double[kv.size()][ctx.size()];
        for (int i = 0; i < kv.size(); i++) {
            for (int j = 0; j < ctx.size(); j++) {
                itl[i][j] = 1000 * df.wallTime(Math.max(1, kv.get(i) / ctx.get(j)), kv.get(i));
            }
        }
        return new NpzWriter().float64("prefill_isl", isl).float64("prefill_ttft_ms", ttft)
            .float64("decode_active_kv_tokens", kv).float64("decode_context_length", ctx).float64("decode_itl", itl);
    }

    private static List<Double> linspace(final double a, final double b) {
        final List<Double> out = new ArrayList<>(MOCKER_POINTS);
        for (int i = 0; i < MOCKER_POINTS; i++) {
            out.add(a + (b - a) * i / (MOCKER_POINTS - 1));
        }
        return out;
    }
}
