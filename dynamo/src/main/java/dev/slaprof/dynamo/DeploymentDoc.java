package dev.slaprof.dynamo;

import static dev.slaprof.dynamo.V1beta1.PLANNER_CONFIG_DIR;
import static dev.slaprof.dynamo.V1beta1.PROFILE_DIR;
import static dev.slaprof.dynamo.V1beta1.WORKSPACE;
import static dev.slaprof.dynamo.V1beta1.image;
import static dev.slaprof.dynamo.V1beta1.runtimeImage;
import static dev.slaprof.dynamo.V1beta1.workerName;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.slaprof.schema.avro.Backend;
import dev.slaprof.schema.avro.Mapping;
import dev.slaprof.schema.avro.Recommendation;
import dev.slaprof.schema.avro.Strategy;
import java.util.Locale;

/**
 * The picked {@code nvidia.com/v1beta1} DynamoGraphDeployment ({@code picked_dgd_config.yaml}, and the last document
 * of {@code final_config.yaml}): Frontend, the backend's prefill and decode workers with the mode's replicas, the
 * Planner reading slaprof's files.
 */
public final class DeploymentDoc {
    private DeploymentDoc() {
    }

    static ObjectNode dgdShell(final Recommendation r) {
        final ObjectNode dgd = V1beta1.JSON.createObjectNode().put("apiVersion", "nvidia.com/v1beta1")
            .put("kind", "DynamoGraphDeployment");
        dgd.putObject("metadata").put("name", r.getSla().getDgdName().isEmpty()
            ? r.getDeployment().getBackend().name().toLowerCase(Locale.ROOT) + "-disagg" : r.getSla().getDgdName());
        return dgd;
    }

    static ObjectNode component(final ArrayNode components, final String name, final String type,
                                        final int replicas) {
        return components.addObject().put("name", name).put("type", type).put("replicas", replicas);
    }

    static ObjectNode main(final ObjectNode component, final String image, final String workingDir,
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
    public static ObjectNode deployment(final Recommendation r, final V1beta1.Choice c, final int gpusPerNode,
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
}
