package dev.slaprof.dynamo;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * A {@code DynamoGraphDeploymentRequest} of {@code apiVersion: nvidia.com/v1beta1} (interop spec section 1) as
 * {@code slaprof run} settings: every profiling-relevant field is read, Dynamo's defaults apply where a field is
 * absent, contradictions are refused with one line naming the fields, and every field that is read but not used,
 * or not known at all, gets a warning naming it. Nothing is silently dropped.
 */
public final class DgdrV1beta1 {
    /** Settings (run option name to value) and the warnings to print. */
    public record Parsed(Map<String, String> settings, List<String> warnings) {
    }

    /** Dynamo's gpuSku values with a performance model in config/gpus.yaml, to the catalog's names. */
    static final Map<String, String> GPU_SKUS = Map.of("h200_sxm", "H200-SXM", "h100_sxm", "H100-SXM",
        "b200_sxm", "B200", "a100_sxm", "A100-80GB", "b300_sxm", "B300", "gb200", "GB200", "gb200_sxm", "GB200");
    /** Every gpuSku value of the v1beta1 CRD (section 1.1). */
    public static final Set<String> KNOWN_SKUS = Set.of("vr_nvl72", "gb200", "gb200_sxm", "gb10", "b300_sxm", "b200_sxm",
        "h200_sxm", "h100_sxm", "h100_pcie", "a100_sxm", "a100_pcie", "a30", "l40s", "l40", "l4", "v100_sxm",
        "v100_pcie", "t4", "mi200", "mi300");
    /** Dynamo's cap on the picking budget. */
    public static final int MAX_TOTAL_GPUS = 32;

    private static final Set<String> SPEC_FIELDS = Set.of("model", "backend", "image", "runtimeVersionOverride",
        "searchStrategy", "autoApply", "hardware", "workload", "sla", "modelCache", "features", "overrides");

    private final String where;
    private final Map<String, String> out = new LinkedHashMap<>();
    private final List<String> warnings = new ArrayList<>();

    private DgdrV1beta1(final String where) {
        this.where = where;
    }

    public static boolean applies(final JsonNode root) {
        return "DynamoGraphDeploymentRequest".equals(root.path("kind").asText())
            && root.path("apiVersion").asText().endsWith("/v1beta1");
    }

    public static Parsed parse(final JsonNode root, final String where) {
        final DgdrV1beta1 p = new DgdrV1beta1(where);
        p.read(root);
        return new Parsed(p.out, p.warnings);
    }

    private IllegalArgumentException bad(final String message) {
        return new IllegalArgumentException(where + ": " + message);
    }

    private void read(final JsonNode root) {
        final JsonNode spec = root.path("spec");
        if (!spec.isObject()) {
            throw bad("DynamoGraphDeploymentRequest without spec");
        }
        for (final Iterator<String> it = spec.fieldNames(); it.hasNext();) {
            final String f = it.next();
            if (!SPEC_FIELDS.contains(f)) {
                warnings.add("spec." + f + " is not a v1beta1 profiling field slaprof knows; ignored");
            }
        }
        final String model = text(spec, "model", "spec.model");
        if (model == null || model.isBlank()) {
            throw bad("spec.model is required");
        }
        out.put("model", model);
        final String backend = text(spec, "backend", "spec.backend");
        if (backend == null || "auto".equalsIgnoreCase(backend)) {
            warnings.add("spec.backend " + (backend == null ? "absent" : "auto") + ": slaprof profiles vllm (Dynamo's "
                + "fallback for auto); give spec.backend to choose");
            out.put("backend", "vllm");
        } else {
            out.put("backend", backend.toLowerCase(Locale.ROOT));
        }
        final String image = text(spec, "image", "spec.image");
        if (image != null) {
            out.put("image", image);
        }
        final String strategy = text(spec, "searchStrategy", "spec.searchStrategy");
        if (strategy != null && !Set.of("rapid", "thorough").contains(strategy)) {
            throw bad("spec.searchStrategy must be rapid or thorough, got '" + strategy + "'");
        }
        if (!"thorough".equals(strategy)) {
            warnings.add("spec.searchStrategy " + (strategy == null ? "rapid (the default)" : strategy) + " read, not "
                + "used: slaprof always runs the thorough sweep, on its simulated engines, in place of AI "
                + "Configurator's estimate");
        }
        unused(spec, "runtimeVersionOverride", "spec.runtimeVersionOverride", "the generated components keep the image's version");
        unused(spec, "autoApply", "spec.autoApply", "slaprof writes files and applies nothing");
        unused(spec, "modelCache", "spec.modelCache", "simulated engines load no weights");
        hardware(spec.path("hardware"));
        workload(spec.path("workload"));
        sla(spec.path("sla"));
        features(spec.path("features"));
        overrides(spec.path("overrides"), root.path("metadata").path("name").asText(""));
    }

    private void hardware(final JsonNode h) {
        if (h.isMissingNode() || h.isNull()) {
            return;
        }
        object(h, "spec.hardware");
        known(h, "spec.hardware", "gpuSku", "vramMb", "totalGpus", "numGpusPerNode", "interconnect", "rdma");
        final String sku = text(h, "gpuSku", "spec.hardware.gpuSku");
        if (sku != null) {
            final String s = sku.toLowerCase(Locale.ROOT);
            if (!KNOWN_SKUS.contains(s)) {
                throw bad("spec.hardware.gpuSku '" + sku + "' is not a Dynamo GPU SKU (slaprof models "
                    + String.join(", ", new TreeSet<>(GPU_SKUS.keySet())) + "; Dynamo also knows "
                    + String.join(", ", new TreeSet<>(KNOWN_SKUS.stream().filter(k -> !GPU_SKUS.containsKey(k))
                    .toList())) + ")");
            }
            final String gpu = GPU_SKUS.get(s);
            if (gpu == null) {
                throw bad("spec.hardware.gpuSku " + s + " has no performance model in config/gpus.yaml (known: "
                    + String.join(", ", new TreeSet<>(GPU_SKUS.keySet())) + ")");
            }
            out.put("gpu-type", gpu);
        }
        final Integer perNode = integer(h, "numGpusPerNode", "spec.hardware.numGpusPerNode");
        if (perNode != null) {
            if (perNode <= 0) {
                throw bad("spec.hardware.numGpusPerNode must be > 0, got " + perNode);
            }
            out.put("num-gpus-per-node", Integer.toString(perNode));
        }
        final Integer total = integer(h, "totalGpus", "spec.hardware.totalGpus");
        if (total != null) {
            if (total <= 0) {
                throw bad("spec.hardware.totalGpus must be > 0, got " + total);
            }
            if (total > MAX_TOTAL_GPUS) {
                warnings.add("spec.hardware.totalGpus " + total + " capped at " + MAX_TOTAL_GPUS + ", as Dynamo does");
            }
            out.put("total-gpus", Integer.toString(Math.min(total, MAX_TOTAL_GPUS)));
        }
        unused(h, "vramMb", "spec.hardware.vramMb", "the GPU's memory comes from config/gpus.yaml");
        unused(h, "interconnect", "spec.hardware.interconnect", "the performance model's interconnect is per GPU type");
        unused(h, "rdma", "spec.hardware.rdma", "no KV transfer is simulated between engines");
    }

    private void workload(final JsonNode w) {
        // Dynamo 1.x's defaults when the request leaves them out.
        out.put("isl", "4000");
        out.put("osl", "1000");
        if (w.isMissingNode() || w.isNull()) {
            return;
        }
        object(w, "spec.workload");
        known(w, "spec.workload", "isl", "osl", "requestRate", "concurrency");
        positiveInt(w, "isl", "spec.workload.isl", "isl");
        positiveInt(w, "osl", "spec.workload.osl", "osl");
        final Double rate = number(w, "requestRate", "spec.workload.requestRate");
        final Double conc = number(w, "concurrency", "spec.workload.concurrency");
        if (rate != null && conc != null) {
            throw bad("spec.workload.requestRate and spec.workload.concurrency are mutually exclusive: give one");
        }
        if (rate != null) {
            positive(rate, "spec.workload.requestRate");
            out.put("request-rate", rate.toString());
        }
        if (conc != null) {
            positive(conc, "spec.workload.concurrency");
            out.put("concurrency", conc.toString());
        }
    }

    private void sla(final JsonNode s) {
        final boolean given = !(s.isMissingNode() || s.isNull());
        if (given) {
            object(s, "spec.sla");
            known(s, "spec.sla", "ttft", "itl", "e2eLatency", "optimizationType");
        }
        final Double ttft = given ? number(s, "ttft", "spec.sla.ttft") : null;
        final Double itl = given ? number(s, "itl", "spec.sla.itl") : null;
        final Double e2e = given ? number(s, "e2eLatency", "spec.sla.e2eLatency") : null;
        final String type = given ? text(s, "optimizationType", "spec.sla.optimizationType") : null;
        if (e2e != null && (ttft != null || itl != null)) {
            throw bad("spec.sla.e2eLatency cannot be given with spec.sla." + (ttft != null ? "ttft" : "itl")
                + ": the request latency replaces both (set them to null)");
        }
        if ((ttft == null) != (itl == null) && e2e == null) {
            throw bad("spec.sla.ttft and spec.sla.itl go together: give both or neither");
        }
        if (type != null && !Set.of("latency", "throughput").contains(type)) {
            throw bad("spec.sla.optimizationType must be latency or throughput, got '" + type + "'");
        }
        if (e2e != null) {
            positive(e2e, "spec.sla.e2eLatency");
            out.put("e2e-latency", e2e.toString());
            // The profiler uses the request latency as both targets (section 1.1).
            out.put("ttft", e2e.toString());
            out.put("itl", e2e.toString());
        } else if (ttft != null) {
            positive(ttft, "spec.sla.ttft");
            positive(itl, "spec.sla.itl");
            out.put("ttft", ttft.toString());
            out.put("itl", itl.toString());
        } else if (type == null) {
            out.put("ttft", "2000.0");
            out.put("itl", "30.0");
        }
        if (type != null) {
            out.put("optimization-type", type);
            if (ttft != null || e2e != null) {
                warnings.add("spec.sla.optimizationType " + type + " read, not used: the explicit targets decide");
            }
        }
    }

    private void features(final JsonNode f) {
        if (f.isMissingNode() || f.isNull()) {
            return;
        }
        object(f, "spec.features");
        known(f, "spec.features", "planner", "mocker", "kvRouter");
        final JsonNode planner = f.get("planner");
        if (planner != null && !planner.isNull()) {
            if (!planner.isObject()) {
                throw bad("spec.features.planner must be a PlannerConfig object");
            }
            if (planner.has("enabled") || planner.has("plannerArgsList")) {
                // The older Python types' form {enabled, plannerPreDeploymentSweeping, plannerArgsList}.
                if (!planner.path("enabled").asBoolean(true)) {
                    warnings.add("spec.features.planner.enabled false: no planner");
                } else {
                    out.put("planner-config", "{}");
                    warnings.add("spec.features.planner in the older {enabled, plannerArgsList} form: its "
                        + "plannerArgsList is not read; the PlannerConfig written takes slaprof's defaults");
                }
            } else {
                out.put("planner-config", planner.toString());
                forced(planner);
            }
        }
        final JsonNode mocker = f.path("mocker");
        if (mocker.path("enabled").asBoolean(false)) {
            final String sweep = planner == null || planner.isNull() ? null
                : planner.path("pre_deployment_sweeping_mode").asText(null);
            if (planner != null && !planner.isNull() && (sweep == null || "none".equals(sweep))) {
                throw bad("spec.features.mocker.enabled with spec.features.planner needs "
                    + "planner.pre_deployment_sweeping_mode rapid or thorough, got " + (sweep == null ? "none" : sweep));
            }
            out.put("mocker", "true");
        }
        if (f.path("kvRouter").path("enabled").asBoolean(false)) {
            warnings.add("spec.features.kvRouter read, not used: the generated Frontend keeps the default router");
        }
    }

    /** PlannerConfig values the written config replaces so the planner reads slaprof's profile (section 3.3). */
    private void forced(final JsonNode planner) {
        final JsonNode want = PlannerConfigDoc.readsProfileFiles();
        for (final Iterator<Map.Entry<String, JsonNode>> it = want.fields(); it.hasNext();) {
            final Map.Entry<String, JsonNode> e = it.next();
            final JsonNode v = planner.get(e.getKey());
            if (v != null && !v.isNull() && !v.asText().equals(e.getValue().asText())) {
                warnings.add("spec.features.planner." + e.getKey() + " " + v.asText() + " replaced by "
                    + e.getValue().asText() + ": otherwise the planner would not read the profile slaprof writes");
            }
        }
        for (final String k : List.of("aic_interpolation", "aic_perf_model", "prefill_engine_num_gpu",
            "decode_engine_num_gpu")) {
            if (planner.has(k)) {
                warnings.add("spec.features.planner." + k + " replaced: " + (k.startsWith("aic")
                    ? "AI Configurator's model would outrank the profile files" : "it is the picked engine's GPUs"));
            }
        }
    }

    private void overrides(final JsonNode o, final String requestName) {
        String name = requestName.isEmpty() ? "" : requestName + "-dgd";
        if (!(o.isMissingNode() || o.isNull())) {
            object(o, "spec.overrides");
            known(o, "spec.overrides", "dgd", "profilingJob", "trustRemoteCode");
            final String dgdName = o.path("dgd").path("metadata").path("name").asText("");
            if (!dgdName.isEmpty()) {
                name = dgdName;
            }
            if (o.path("dgd").isObject()) {
                final List<String> merged = new ArrayList<>();
                o.path("dgd").fieldNames().forEachRemaining(merged::add);
                merged.removeAll(List.of("apiVersion", "kind", "metadata"));
                if (!merged.isEmpty()) {
                    warnings.add("spec.overrides.dgd fields " + merged + " read, not merged: only metadata.name is "
                        + "applied to the generated DGD");
                }
            }
            unused(o, "profilingJob", "spec.overrides.profilingJob", "slaprof runs no profiling job");
            if (o.path("trustRemoteCode").asBoolean(false)) {
                warnings.add("spec.overrides.trustRemoteCode read, not used: the workers' templates already pass "
                    + "--trust-remote-code for SGLang; vLLM workers do not get it");
            }
        }
        if (!name.isEmpty()) {
            out.put("dgd-name", name);
        }
        out.put("dynamo-api", "v1beta1");
    }

    private void unused(final JsonNode n, final String field, final String path, final String why) {
        final JsonNode v = n.get(field);
        if (v != null && !v.isNull()) {
            warnings.add(path + " read, not used: " + why);
        }
    }

    private void known(final JsonNode n, final String path, final String... fields) {
        final Set<String> ok = Set.of(fields);
        for (final Iterator<String> it = n.fieldNames(); it.hasNext();) {
            final String f = it.next();
            if (!ok.contains(f)) {
                warnings.add(path + "." + f + " is not a v1beta1 field slaprof knows; ignored");
            }
        }
    }

    private void object(final JsonNode n, final String path) {
        if (!n.isObject()) {
            throw bad(path + " must be a mapping, got " + n);
        }
    }

    private String text(final JsonNode n, final String field, final String path) {
        final JsonNode v = n.get(field);
        if (v == null || v.isNull()) {
            return null;
        }
        if (!v.isValueNode()) {
            throw bad(path + " must be a value, got " + v);
        }
        return v.asText();
    }

    private Double number(final JsonNode n, final String field, final String path) {
        final JsonNode v = n.get(field);
        if (v == null || v.isNull()) {
            return null;
        }
        if (!v.isNumber()) {
            throw bad(path + " must be a number, got " + v);
        }
        return v.asDouble();
    }

    private Integer integer(final JsonNode n, final String field, final String path) {
        final Double d = number(n, field, path);
        if (d == null) {
            return null;
        }
        if (d != Math.rint(d)) {
            throw bad(path + " must be a whole number, got " + d);
        }
        return d.intValue();
    }

    private void positiveInt(final JsonNode n, final String field, final String path, final String option) {
        final Integer v = integer(n, field, path);
        if (v != null) {
            if (v <= 0) {
                throw bad(path + " must be > 0, got " + v);
            }
            out.put(option, Integer.toString(v));
        }
    }

    private void positive(final double v, final String path) {
        if (!(v > 0) || !Double.isFinite(v)) {
            throw bad(path + " must be > 0, got " + v);
        }
    }
}
