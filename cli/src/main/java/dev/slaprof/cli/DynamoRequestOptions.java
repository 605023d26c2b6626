package dev.slaprof.cli;

import dev.slaprof.dynamo.PickingRequest;
import picocli.CommandLine.Option;

/** The options of a Dynamo 1.x profiling request (DGDR v1beta1): SLA extras, workload, budget, mode and outputs. */
final class DynamoRequestOptions {
    @Option(names = "--e2e-latency", defaultValue = "0", description = "Request latency target TTFT + ITL x (OSL - 1), "
        + "ms, for the picking modes (v1beta1 sla.e2eLatency; 0 = none).")
    double e2eLatency;
    @Option(names = "--optimization-type", defaultValue = "", description = "latency or throughput: rank without an "
        + "SLA filter (v1beta1 sla.optimizationType; empty = none).")
    String optimizationType;
    @Option(names = "--request-rate", defaultValue = "0", description = "Target load, requests/s: picks in load-match "
        + "mode (v1beta1 workload.requestRate; 0 = none).")
    double requestRate;
    @Option(names = "--concurrency", defaultValue = "0", description = "Target load, requests in flight (v1beta1 "
        + "workload.concurrency; 0 = none).")
    double concurrency;
    @Option(names = "--total-gpus", defaultValue = "0", description = "GPU budget of the deployment (v1beta1 "
        + "hardware.totalGpus; 0 = none).")
    int totalGpus;
    @Option(names = "--picking-mode", defaultValue = "auto", description = "auto, default, load-match or autoscale "
        + "(auto: autoscale with a planner config, load-match with a target load, else default).")
    String pickingMode;
    @Option(names = "--planner-config", defaultValue = "", paramLabel = "JSON", description = "PlannerConfig fields "
        + "to merge into the written planner_config.json (a v1beta1 request's features.planner); given: autoscale.")
    String plannerConfig;
    @Option(names = "--mocker", description = "Also write the mocker DGD and the mocker-format npz (v1beta1 "
        + "features.mocker.enabled).")
    boolean mocker;
    @Option(names = "--dynamo-api", defaultValue = "auto", description = "Files to write: v1alpha1 "
        + "(config_with_planner.yaml), v1beta1 (final_config.yaml, profiler_status.yaml), or auto (v1beta1 for a "
        + "v1beta1 --config, else v1alpha1).")
    String dynamoApi;
    @Option(names = "--image", defaultValue = "", description = "Image whose registry and tag the generated v1beta1 "
        + "components use (a v1beta1 request's spec.image).")
    String image;
    @Option(names = "--dgd-name", defaultValue = "", description = "Name of the generated DGD (v1beta1: "
        + "overrides.dgd.metadata.name, else <request name>-dgd).")
    String dgdName;

    /** The request these options make. */
    PickingRequest request() {
        return new PickingRequest(e2eLatency, optimizationType, requestRate, concurrency, totalGpus, pickingMode,
            plannerConfig, mocker, dynamoApi, image, dgdName);
    }
}
