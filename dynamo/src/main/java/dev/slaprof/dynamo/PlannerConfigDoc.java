package dev.slaprof.dynamo;

import static dev.slaprof.dynamo.V1beta1.JSON;
import static dev.slaprof.dynamo.V1beta1.PROFILE_DIR;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.slaprof.schema.avro.Recommendation;
import dev.slaprof.schema.avro.SlaTarget;
import java.util.Iterator;
import java.util.Locale;
import java.util.Map;

/** The PlannerConfig of {@code final_config.yaml}'s {@code planner-config-<hex4>} ConfigMap (interop spec 3.3). */
public final class PlannerConfigDoc {
    private PlannerConfigDoc() {
    }

    /**
     * The PlannerConfig values that make Dynamo's planner read slaprof's files (section 3.3): written over whatever
     * a request asks for (besides these, the engines' GPU counts are set and any AI Configurator model removed).
     */
    public static ObjectNode readsProfileFiles() {
        return JSON.createObjectNode().put("optimization_target", "sla").put("enable_throughput_scaling", true)
            .put("pre_deployment_sweeping_mode", "thorough").put("profile_results_dir", PROFILE_DIR);
    }

    /** The PlannerConfig JSON: Dynamo's defaults, the request's fields, then the keys that point it at the files. */
    public static ObjectNode plannerConfig(final Recommendation r, final V1beta1.Choice c) {
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
}
