package dev.slaprof.dynamo;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.slaprof.schema.avro.PickingMode;
import dev.slaprof.schema.avro.SlaTarget;
import java.util.Locale;
import java.util.Set;

/**
 * What a Dynamo 1.x profiling request (DGDR v1beta1) asks beyond the TTFT and ITL targets: the request latency target,
 * the optimization type, the target load, the GPU budget, the picking mode, the planner config, the mocker, which
 * Dynamo files to write, and the image and name of the generated DGD.
 *
 * @param e2eLatency       request latency target TTFT + ITL x (OSL - 1), ms (0 = none)
 * @param optimizationType latency, throughput or empty
 * @param requestRate      target load, requests/s (0 = none)
 * @param concurrency      target load, requests in flight (0 = none)
 * @param totalGpus        the deployment's GPU budget (0 = none)
 * @param pickingMode      auto, default, load-match or autoscale
 * @param plannerConfig    PlannerConfig fields as a JSON object, or empty
 * @param mocker           also write the mocker DGD and npz
 * @param dynamoApi        auto, v1alpha1 or v1beta1
 * @param image            the image of the generated components, or empty
 * @param dgdName          the name of the generated DGD, or empty
 */
public record PickingRequest(double e2eLatency, String optimizationType, double requestRate, double concurrency,
                             int totalGpus, String pickingMode, String plannerConfig, boolean mocker,
                             String dynamoApi, String image, String dgdName) {

    /** Refuses a request no profile can honour, naming the option (and its v1beta1 field). */
    public void validate() {
        if (requestRate > 0 && concurrency > 0) {
            throw new IllegalArgumentException("--request-rate (workload.requestRate) and --concurrency "
                + "(workload.concurrency) are mutually exclusive: give one");
        }
        if (requestRate < 0 || concurrency < 0 || totalGpus < 0 || e2eLatency < 0) {
            throw new IllegalArgumentException("--request-rate, --concurrency, --total-gpus and --e2e-latency must be "
                + ">= 0");
        }
        if (!Set.of("auto", "default", "load-match", "load_match", "autoscale").contains(pickingMode)) {
            throw new IllegalArgumentException("unknown --picking-mode '" + pickingMode + "' (auto, default, "
                + "load-match, autoscale)");
        }
        if ("load-match".equals(pickingMode) && requestRate == 0 && concurrency == 0) {
            throw new IllegalArgumentException("--picking-mode load-match needs --request-rate or --concurrency");
        }
        if (!Set.of("auto", "v1alpha1", "v1beta1").contains(dynamoApi)) {
            throw new IllegalArgumentException("unknown --dynamo-api '" + dynamoApi + "' (auto, v1alpha1, v1beta1)");
        }
        if (!optimizationType.isEmpty() && !Set.of("latency", "throughput").contains(optimizationType)) {
            throw new IllegalArgumentException("--optimization-type must be latency or throughput, got '"
                + optimizationType + "'");
        }
        if (!plannerConfig.isEmpty()) {
            try {
                if (!new ObjectMapper().readTree(plannerConfig).isObject()) {
                    throw new IllegalArgumentException("--planner-config must be a JSON object");
                }
            } catch (final JsonProcessingException e) {
                throw new IllegalArgumentException("--planner-config is not JSON: " + e.getOriginalMessage());
            }
        }
    }

    /**
     * The picking mode: the one asked, or with auto, autoscale given a planner config, load-match given a target
     * load, else default.
     */
    public PickingMode mode() {
        return switch (pickingMode.toLowerCase(Locale.ROOT)) {
            case "default" -> PickingMode.DEFAULT;
            case "load-match", "load_match" -> PickingMode.LOAD_MATCH;
            case "autoscale" -> PickingMode.AUTOSCALE;
            default -> !plannerConfig.isEmpty() ? PickingMode.AUTOSCALE
                : requestRate > 0 || concurrency > 0 ? PickingMode.LOAD_MATCH
                : PickingMode.DEFAULT;
        };
    }

    /** The request's fields set on an SLA profile (auto's Dynamo files are v1alpha1's). */
    public SlaTarget.Builder applyTo(final SlaTarget.Builder sla) {
        return sla.setE2eLatencyMs(e2eLatency).setOptimizationType(optimizationType).setRequestRate(requestRate)
            .setConcurrency(concurrency).setTotalGpus(totalGpus).setPickingMode(mode())
            .setDynamoApi("auto".equals(dynamoApi) ? "v1alpha1" : dynamoApi).setPlannerConfig(plannerConfig)
            .setMocker(mocker).setImage(image).setDgdName(dgdName);
    }

    /** One line for the run's start: the mode, the targets and load given, the budget and the files. */
    public String describe(final SlaTarget sla) {
        return "picking mode " + sla.getPickingMode().name().toLowerCase(Locale.ROOT).replace('_', '-')
            + (e2eLatency > 0 ? String.format(Locale.ROOT, ", e2e latency %.1f ms", e2eLatency) : "")
            + (optimizationType.isEmpty() ? "" : ", optimization type " + optimizationType)
            + (requestRate > 0 ? String.format(Locale.ROOT, ", load %.3f req/s", requestRate) : "")
            + (concurrency > 0 ? String.format(Locale.ROOT, ", load %.0f in flight", concurrency) : "")
            + (totalGpus > 0 ? ", budget " + totalGpus + " GPUs" : ", no GPU budget")
            + ", Dynamo files " + sla.getDynamoApi() + (mocker ? " + mocker" : "");
    }
}
