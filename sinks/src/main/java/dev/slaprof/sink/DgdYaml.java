package dev.slaprof.sink;

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
 * both JSON tables, and a DynamoGraphDeployment with Frontend, Planner and the backend's prefill and decode workers.
 * Built as trees and written by Jackson, so hostile strings are quoted, never interpolated.
 */
public final class DgdYaml {
    private static final ObjectMapper JSON = new ObjectMapper();

    private DgdYaml() {
    }

    /** ConfigMap document. */
    public static ObjectNode configMap(final String prefillJson, final String decodeJson) {
        final ObjectNode cm = JSON.createObjectNode().put("apiVersion", "v1").put("kind", "ConfigMap");
        cm.putObject("metadata").put("name", "planner-profile-data");
        cm.putObject("data").put("prefill_raw_data.json", prefillJson).put("decode_raw_data.json", decodeJson);
        return cm;
    }

    /** DynamoGraphDeployment document for the recommendation's picks. */
    public static ObjectNode deployment(final Recommendation r) {
        final Backend be = r.getDeployment().getBackend();
        final String prefix = switch (be) {
            case SGLANG -> "Sglang";
            case TRTLLM -> "TRTLLM";
            default -> "Vllm";
        };
        final String beName = be.name().toLowerCase(Locale.ROOT);
        final ObjectNode dgd = JSON.createObjectNode().put("apiVersion", "nvidia.com/v1alpha1")
            .put("kind", "DynamoGraphDeployment");
        dgd.putObject("metadata").put("name", beName + "-disagg");
        final ObjectNode services = dgd.putObject("spec").putObject("services");
        services.putObject("Frontend").put("componentType", "frontend").put("replicas", 1);
        final Mapping p = r.getPrefill() == null ? null : r.getPrefill().getPoint().getMapping();
        final Mapping d = r.getDecode() == null ? null : r.getDecode().getPoint().getMapping();
        final ObjectNode planner = services.putObject("Planner").put("componentType", "planner").put("replicas", 1);
        final ArrayNode pargs = planner.putObject("extraPodSpec").putObject("mainContainer")
            .put("workingDir", "/workspace/components/src/dynamo/planner").putArray("args");
        planner.with("extraPodSpec").with("mainContainer").putArray("command").add("python3").add("-m")
            .add("planner_sla");
        pargs.add("--environment=kubernetes").add("--backend=" + beName)
            .add(String.format(Locale.ROOT, "--ttft=%s", trim(r.getSla().getTtftMs())))
            .add(String.format(Locale.ROOT, "--itl=%s", trim(r.getSla().getItlMs())))
            .add("--prefill-engine-num-gpu=" + (p == null ? 1 : p.getGpus()))
            .add("--decode-engine-num-gpu=" + (d == null ? 1 : d.getGpus()))
            .add("--profile-results-dir=/workspace/profiling_results");
        if (p != null) {
            worker(services.putObject(prefix + "PrefillWorker"), "prefill", p, be);
        }
        if (d != null) {
            worker(services.putObject(prefix + "DecodeWorker"), "decode", d, be);
        }
        return dgd;
    }

    private static void worker(final ObjectNode w, final String sub, final Mapping m, final Backend be) {
        w.put("componentType", "worker").put("subComponentType", sub).put("replicas", 1);
        final ObjectNode res = w.putObject("resources");
        res.putObject("limits").put("gpu", Integer.toString(m.getGpus()));
        res.putObject("requests").put("gpu", Integer.toString(m.getGpus()));
        final ArrayNode args = w.putObject("extraPodSpec").putObject("mainContainer").putArray("args");
        final boolean dep = m.getStrategy() == Strategy.DEP;
        final boolean ep = m.getStrategy() != Strategy.TP;
        switch (be) {
            case TRTLLM -> args.add("--override-engine-args").add(String.format(Locale.ROOT,
                "{\"tensor_parallel_size\": %d, \"moe_expert_parallel_size\": %d, \"enable_attention_dp\": %s}",
                m.getTp(), m.getEp(), dep ? "true" : "false"));
            case SGLANG -> {
                args.add("--tp").add(Integer.toString(dep ? m.getGpus() : m.getTp()));
                if (dep) {
                    args.add("--dp").add(Integer.toString(m.getAttnDp())).add("--enable-dp-attention");
                }
                if (ep) {
                    args.add("--ep").add(Integer.toString(m.getEp()));
                }
            }
            default -> {
                args.add("--tensor-parallel-size").add(Integer.toString(m.getTp()));
                if (dep) {
                    args.add("--data-parallel-size").add(Integer.toString(m.getAttnDp()));
                }
                if (ep) {
                    args.add("--enable-expert-parallel");
                }
                if ("prefill".equals(sub)) {
                    args.add("--is-prefill-worker");
                }
            }
        }
    }

    private static String trim(final double v) {
        return v == Math.rint(v) ? Long.toString((long) v) : Double.toString(v);
    }
}
