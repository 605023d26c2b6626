package dev.slaprof.dynamo;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.slaprof.schema.avro.Backend;
import dev.slaprof.schema.avro.Mapping;
import dev.slaprof.schema.avro.Recommendation;
import dev.slaprof.schema.avro.Strategy;
import java.util.Locale;

/**
 * The two documents of Dynamo's {@code config_with_planner.yaml}: the {@code planner-profile-data} ConfigMap with
 * both JSON tables, and a DynamoGraphDeployment with Frontend, Planner and the backend's prefill and decode workers,
 * laid out as the profiler writes them (testdata/dynamo/aic_all/config_with_planner.yaml). Built as
 * trees and written by Jackson, so hostile strings are quoted, never interpolated.
 */
public final class DgdYaml {
    /** Dynamo release whose runtime images the generated deployment names. */
    public static final String DYNAMO_VERSION = "0.7.0";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String PROFILE_DIR = "/workspace/profiling_results";
    private static final String CONFIG_MAP = "planner-profile-data";

    private DgdYaml() {
    }

    /** ConfigMap document. */
    public static ObjectNode configMap(final String prefillJson, final String decodeJson) {
        final ObjectNode cm = JSON.createObjectNode().put("apiVersion", "v1").put("kind", "ConfigMap");
        cm.putObject("metadata").put("name", CONFIG_MAP);
        cm.putObject("data").put("prefill_raw_data.json", prefillJson).put("decode_raw_data.json", decodeJson);
        return cm;
    }

    /** Each backend's worker service names, module and runtime image, as its disagg template names them. */
    private record Names(String prefill, String decode, String module, String image) {
        static Names of(final Backend be) {
            return switch (be) {
                case SGLANG -> new Names("prefill", "decode", "dynamo.sglang", "sglang-runtime");
                case TRTLLM -> new Names("TRTLLMPrefillWorker", "TRTLLMDecodeWorker", "dynamo.trtllm",
                    "tensorrtllm-runtime");
                default -> new Names("VllmPrefillWorker", "VllmDecodeWorker", "dynamo.vllm", "vllm-runtime");
            };
        }
    }

    /** TRT-LLM's engine configuration files in the runtime image (the disagg template's defaults). */
    public static final String TRTLLM_ENGINE_CONFIGS = "./examples/backends/trtllm/engine_configs/qwen3/";

    /** Dynamo's default GPUs per node when the cluster is not inspected. */
    public static final int DEFAULT_GPUS_PER_NODE = 8;

    /** DynamoGraphDeployment document for the recommendation's picks, 8 GPUs per node. */
    public static ObjectNode deployment(final Recommendation r) {
        return deployment(r, DEFAULT_GPUS_PER_NODE);
    }

    /**
     * DynamoGraphDeployment document for the recommendation's picks; a worker wider than {@code gpusPerNode} gets
     * Dynamo's multinode layout ({@code multinode.nodeCount}, GPU limits per node).
     */
    public static ObjectNode deployment(final Recommendation r, final int gpusPerNode) {
        if (gpusPerNode < 1) {
            throw new IllegalArgumentException("GPUs per node must be >= 1, got " + gpusPerNode);
        }
        final Backend be = r.getDeployment().getBackend();
        final Names names = Names.of(be);
        final String beName = be.name().toLowerCase(Locale.ROOT);
        final String image = "nvcr.io/nvidia/ai-dynamo/" + names.image() + ":" + DYNAMO_VERSION;
        final String name = beName + "-disagg";
        final ObjectNode dgd = JSON.createObjectNode().put("apiVersion", "nvidia.com/v1alpha1")
            .put("kind", "DynamoGraphDeployment");
        dgd.putObject("metadata").put("name", name);
        final ObjectNode services = dgd.putObject("spec").putObject("services");
        final ObjectNode frontend = services.putObject("Frontend").put("componentType", "frontend");
        frontend.putObject("extraPodSpec").putObject("mainContainer").put("image", image);
        frontend.put("replicas", 1);
        final Mapping p = r.getPrefill() == null ? null : r.getPrefill().getPoint().getMapping();
        final Mapping d = r.getDecode() == null ? null : r.getDecode().getPoint().getMapping();
        planner(services.putObject("Planner"), r, beName, name, image, p, d);
        final String model = r.getDeployment().getModel();
        if (p != null) {
            worker(services.putObject(names.prefill()), "prefill", p, be, names, image, model,
                gpusPerNode);
        }
        if (d != null) {
            worker(services.putObject(names.decode()), "decode", d, be, names, image, model,
                gpusPerNode);
        }
        return dgd;
    }

    private static void planner(final ObjectNode planner, final Recommendation r, final String beName,
                                final String namespace, final String image, final Mapping p, final Mapping d) {
        planner.put("componentType", "planner");
        final ObjectNode pod = planner.putObject("extraPodSpec");
        final ObjectNode main = pod.putObject("mainContainer");
        main.putArray("args").add("--backend=" + beName)
            .add("--itl=" + trim(r.getSla().getItlMs()))
            .add("--ttft=" + trim(r.getSla().getTtftMs()))
            .add("--adjustment-interval=180")
            .add("--environment=kubernetes")
            .add("--load-prediction-window-size=50")
            .add("--load-predictor=arima")
            .add("--max-gpu-budget=8")
            .add("--min-endpoint=1")
            .add("--prometheus-port=0")
            .add("--namespace=" + namespace)
            .add("--prefill-engine-num-gpu=" + (p == null ? 1 : p.getGpus()))
            .add("--decode-engine-num-gpu=" + (d == null ? 1 : d.getGpus()))
            .add("--profile-results-dir=" + PROFILE_DIR);
        main.putArray("command").add("python3").add("-m").add("planner_sla");
        main.put("image", image);
        main.putArray("volumeMounts").addObject().put("mountPath", PROFILE_DIR).put("name", CONFIG_MAP)
            .put("readOnly", true);
        main.put("workingDir", "/workspace/components/src/dynamo/planner");
        final ObjectNode volume = pod.putArray("volumes").addObject();
        volume.putObject("configMap").put("name", CONFIG_MAP);
        volume.put("name", CONFIG_MAP);
        planner.put("replicas", 1);
    }

    private static void worker(final ObjectNode w, final String sub, final Mapping m, final Backend be,
                               final Names names, final String image, final String model, final int gpusPerNode) {
        w.put("componentType", "worker").put("envFromSecret", "hf-token-secret");
        final ObjectNode main = w.putObject("extraPodSpec").putObject("mainContainer");
        final ArrayNode args = main.putArray("args");
        parallelism(args, sub, m, be, model);
        main.putArray("command").add("python3").add("-m").add(names.module());
        main.put("image", image).put("workingDir", "/workspace/");
        w.put("replicas", 1);
        final int perNode = Math.min(m.getGpus(), gpusPerNode);
        if (m.getGpus() > gpusPerNode) {
            w.putObject("multinode").put("nodeCount", (m.getGpus() + gpusPerNode - 1) / gpusPerNode);
        }
        final ObjectNode res = w.putObject("resources");
        res.putObject("limits").put("gpu", Integer.toString(perNode));
        res.putObject("requests").put("gpu", Integer.toString(perNode));
        w.put("subComponentType", sub);
    }

    /**
     * The model and the tensor/expert/data-parallel arguments in each backend's syntax, with the disagg templates'
     * fixed arguments: vLLM {@code --model}; SGLang {@code --model-path}, page size, NIXL transfer and bootstrap port;
     * TRT-LLM {@code --model-path}, its engine configuration file per role and an {@code --override-engine-args}
     * JSON with the parallel sizes (TEP: experts split across the TP group, no attention DP; DEP: attention DP).
     */
    private static void parallelism(final ArrayNode args, final String sub, final Mapping m, final Backend be,
                                    final String model) {
        final boolean dep = m.getStrategy() == Strategy.DEP;
        final boolean ep = m.getStrategy() != Strategy.TP;
        switch (be) {
            case TRTLLM -> {
                args.add("--model-path").add(model).add("--served-model-name").add(model)
                    .add("--extra-engine-args").add(TRTLLM_ENGINE_CONFIGS + sub + ".yaml")
                    .add("--disaggregation-mode").add(sub).add("--override-engine-args");
                final ObjectNode o = JSON.createObjectNode().put("tensor_parallel_size", dep ? m.getGpus() : m.getTp());
                if (ep) {
                    o.put("moe_expert_parallel_size", m.getEp());
                    o.put("enable_attention_dp", dep);
                }
                args.add(o.toString().replace(":", ": ").replace(",", ", "));
            }
            case SGLANG -> sglang(args, sub, m, model);
            default -> {
                vllm(args, m, model);
                if ("prefill".equals(sub)) {
                    args.add("--is-prefill-worker");
                }
            }
        }
    }

    /** SGLang's worker arguments of the disagg templates (both DGD dialects use them). */
    public static void sglang(final ArrayNode args, final String role, final Mapping m, final String model) {
        final boolean dep = m.getStrategy() == Strategy.DEP;
        args.add("--model-path").add(model).add("--served-model-name").add(model).add("--page-size").add("16")
            .add("--trust-remote-code").add("--skip-tokenizer-init")
            .add("--disaggregation-mode").add(role).add("--disaggregation-transfer-backend").add("nixl")
            .add("--disaggregation-bootstrap-port").add("12345").add("--host").add("0.0.0.0")
            .add("--tp").add(Integer.toString(dep ? m.getGpus() : m.getTp()));
        if (dep) {
            args.add("--dp").add(Integer.toString(m.getAttnDp())).add("--enable-dp-attention");
        }
        if (m.getStrategy() != Strategy.TP) {
            args.add("--ep").add(Integer.toString(m.getEp()));
        }
    }

    /** vLLM's model and parallel arguments (both DGD dialects; the role arguments differ). */
    public static void vllm(final ArrayNode args, final Mapping m, final String model) {
        args.add("--model").add(model).add("--tensor-parallel-size").add(Integer.toString(m.getTp()));
        if (m.getStrategy() == Strategy.DEP) {
            args.add("--data-parallel-size").add(Integer.toString(m.getAttnDp()));
        }
        if (m.getStrategy() != Strategy.TP) {
            args.add("--enable-expert-parallel");
        }
    }

    private static String trim(final double v) {
        return v == Math.rint(v) ? Long.toString((long) v) : Double.toString(v);
    }
}
