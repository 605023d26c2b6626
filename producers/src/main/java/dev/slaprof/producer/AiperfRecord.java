package dev.slaprof.producer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.slaprof.schema.avro.Deployment;
import dev.slaprof.schema.avro.LatencySample;
import dev.slaprof.schema.avro.Load;
import dev.slaprof.schema.avro.Mapping;
import dev.slaprof.schema.avro.Phase;
import dev.slaprof.schema.avro.RequestStatus;
import dev.slaprof.schema.avro.Role;
import dev.slaprof.schema.avro.SampleSource;
import dev.slaprof.schema.avro.SourceKind;
import dev.slaprof.schema.avro.StatusCode;
import dev.slaprof.schema.avro.Sweep;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;

/**
 * One line of AIPerf's per-request export ({@code profile_export.jsonl}) as a {@link LatencySample}, in both the
 * current schema ({@code request_start_ns}, {@code benchmark_phase}, {@code time_to_first_token}) and the Oct-2025
 * one ({@code timestamp_ns}, {@code credit_phase}, {@code ttft}); unknown keys ignored, omitted nulls tolerated.
 * Metric values are taken as exported (ms), so TTFT, ITL, ISL and OSL equal the file's.
 */
public final class AiperfRecord {
    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * What the file does not say: the deployment, role and mapping measured, and the load point.
     *
     * @param inFlight     concurrency the run used (AIPerf's --concurrency), at least 1
     * @param requestedOsl requested output length, tokens (0 when unknown: the record's OSL is used)
     * @param runId        run id for all records (a benchmark run), or null for loose records
     */
    public record Context(Deployment deployment, Role role, Mapping mapping, int inFlight, int requestedOsl,
                          String workerId, String runId, SourceKind kind, int requestedIsl) {
        /** A context whose load ISL is each request's measured prompt tokens (natural workloads). */
        public Context(final Deployment deployment, final Role role, final Mapping mapping, final int inFlight,
                       final int requestedOsl, final String workerId, final String runId, final SourceKind kind) {
            this(deployment, role, mapping, inFlight, requestedOsl, workerId, runId, kind, 0);
        }
    }

    /** The top-level, metadata and metric keys {@link #parse} reads; every other key is ignored (and counted). */
    private static final Set<String> READ_TOP = Set.of("metadata", "metrics", "error");
    private static final Set<String> READ_METADATA = Set.of("request_start_ns", "timestamp_ns", "request_end_ns",
        "benchmark_phase", "credit_phase", "x_request_id", "worker_id", "was_cancelled");
    private static final Set<String> READ_METRICS = Set.of("time_to_first_token", "ttft", "request_latency",
        "input_sequence_length", "error_isl", "output_sequence_length", "output_token_count", "reasoning_token_count",
        "inter_token_latency");

    private AiperfRecord() {
    }

    /**
     * The keys of a record that {@link #parse} does not read, as paths ({@code trace_data},
     * {@code metadata.agent_depth}, {@code metrics.http_req_duration}): what an import ignored, for its report.
     * AIPerf 0.14 and later leave null and default fields out ({@code error}, {@code cancellation_time_ns}); a
     * missing key is never counted, an extra one always is.
     */
    public static List<String> ignoredKeys(final String line) {
        final List<String> out = new ArrayList<>();
        try {
            final JsonNode r = JSON.readTree(line);
            if (r == null || !r.isObject()) {
                return out;
            }
            r.fieldNames().forEachRemaining(k -> {
                if (!READ_TOP.contains(k)) {
                    out.add(k);
                }
            });
            r.path("metadata").fieldNames().forEachRemaining(k -> {
                if (!READ_METADATA.contains(k)) {
                    out.add("metadata." + k);
                }
            });
            r.path("metrics").fieldNames().forEachRemaining(k -> {
                if (!READ_METRICS.contains(k)) {
                    out.add("metrics." + k);
                }
            });
        } catch (final IOException e) {
            // Not JSON: parse() rejects the line with the reason.
        }
        return out;
    }

    /**
     * Parses one line. The event id is the record's {@code x_request_id}, else a name-based UUID of
     * {@code idSeed}, so importing the same file twice yields the same ids (de-duplicated downstream).
     *
     * @throws IllegalArgumentException naming what is wrong with the line
     */
    public static LatencySample parse(final String line, final Context c, final String idSeed) {
        final JsonNode r;
        try {
            r = JSON.readTree(line);
        } catch (final IOException e) {
            throw new IllegalArgumentException("not JSON: " + e.getMessage().lines().findFirst().orElse(""));
        }
        if (r == null || !r.isObject() || !r.has("metadata")) {
            throw new IllegalArgumentException("no metadata object");
        }
        final JsonNode md = r.path("metadata");
        final JsonNode m = r.path("metrics");
        final JsonNode err = r.path("error");
        final boolean failed = err.isObject() || md.path("was_cancelled").asBoolean(false);
        final Double ttft = metric(m, "time_to_first_token", "ttft");
        final Double latency = metric(m, "request_latency", null);
        final long startNs = md.has("request_start_ns") ? md.path("request_start_ns").asLong()
            : md.path("timestamp_ns").asLong(0);
        if (startNs <= 0) {
            throw new IllegalArgumentException("no request_start_ns or timestamp_ns");
        }
        final long endNs = md.has("request_end_ns") ? md.path("request_end_ns").asLong()
            : latency == null ? startNs : startNs + Math.round(latency * 1e6);
        final int isl = intMetric(m, failed ? "error_isl" : "input_sequence_length",
            intMetric(m, "input_sequence_length", 0));
        final int osl = m.has("output_sequence_length") ? intMetric(m, "output_sequence_length", 0)
            : intMetric(m, "output_token_count", 0) + intMetric(m, "reasoning_token_count", 0);
        if (!failed && ttft == null) {
            throw new IllegalArgumentException("successful record without time_to_first_token");
        }
        final String phase = md.has("benchmark_phase") ? md.path("benchmark_phase").asText()
            : md.path("credit_phase").asText("profiling");
        final String id = md.path("x_request_id").isTextual() ? md.path("x_request_id").asText()
            : UUID.nameUUIDFromBytes(idSeed.getBytes(StandardCharsets.UTF_8)).toString();
        final boolean cancelled = md.path("was_cancelled").asBoolean(false) || err.path("code").asInt(0) == 499;
        final StatusCode code = !failed ? StatusCode.OK : cancelled ? StatusCode.CANCELLED : StatusCode.ERROR;
        return LatencySample.newBuilder()
            .setEventId(id)
            .setEventTimeUs(endNs / 1000)
            .setSource(new SampleSource(c.kind(), md.path("worker_id").asText(c.workerId()), c.runId()))
            .setPhase("warmup".equalsIgnoreCase(phase) ? Phase.WARMUP : Phase.PROFILING)
            .setDeployment(c.deployment())
            .setRole(c.role())
            .setMapping(c.mapping())
            .setLoad(new Load(Math.max(1, c.inFlight()), c.requestedIsl() > 0 ? c.requestedIsl() : Math.max(1, isl),
                c.requestedOsl() > 0 ? c.requestedOsl() : osl, Sweep.UNPLANNED))
            .setTtftMs(failed ? null : ttft)
            .setItlMs(failed || osl < 2 ? null : metric(m, "inter_token_latency", null))
            .setRequestLatencyMs(failed ? null : latency)
            .setInputTokens(isl)
            .setOutputTokens(failed ? 0 : osl)
            .setRequestStartUs(startNs / 1000)
            .setRequestEndUs(endNs / 1000)
            .setStatus(new RequestStatus(code, err.path("code").isInt() ? err.path("code").asInt() : null,
                err.path("type").isTextual() ? err.path("type").asText() : null,
                err.path("message").isTextual() ? err.path("message").asText() : null))
            .build();
    }

    private static Double metric(final JsonNode m, final String tag, final String oldTag) {
        JsonNode v = m.path(tag).path("value");
        if (v.isMissingNode() && oldTag != null) {
            v = m.path(oldTag).path("value");
        }
        return v.isNumber() ? v.asDouble() : null;
    }

    private static int intMetric(final JsonNode m, final String tag, final int fallback) {
        final JsonNode v = m.path(tag).path("value");
        return v.isNumber() ? v.asInt() : fallback;
    }
}
