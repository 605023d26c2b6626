package dev.slaprof.producer.trace;

import com.fasterxml.jackson.core.JsonProcessingException;
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

/**
 * One line of Dynamo's frontend request trace ({@code DYN_REQUEST_TRACE=1}, schema {@code dynamo.request.trace.v1};
 * Dynamo's "Request Replay Tracing" page). A {@code request_end} record whose request carries {@code ttft_ms},
 * {@code total_time_ms}, {@code input_tokens}, {@code output_tokens} and {@code request_received_ms} becomes one
 * sample, with ITL = (total - TTFT) / (output_tokens - 1) and the cached tokens kept; another event type
 * ({@code tool_end}) is skipped and counted; anything else is malformed, with the reason, for the dead-letter topic.
 */
public final class TraceRecord {
    /** The schema id this reader takes. */
    public static final String SCHEMA = "dynamo.request.trace.v1";
    private static final ObjectMapper JSON = new ObjectMapper();

    /** What a line is: a sample, a record of another event type (skipped), or malformed (with the reason). */
    public sealed interface Parsed permits Sample, Skipped, Malformed {
    }

    /** A request's sample. */
    public record Sample(LatencySample sample) implements Parsed {
    }

    /** A well-formed record that is not a finished request ({@code tool_end}). */
    public record Skipped(String eventType) implements Parsed {
    }

    /** A line that cannot be a sample, and why. */
    public record Malformed(String reason) implements Parsed {
    }

    /** What every sample of one import shares: the deployment, role, mapping and in-flight label. */
    public record Context(Deployment deployment, Role role, Mapping mapping, int inFlight, String workerId) {
    }

    private TraceRecord() {
    }

    /**
     * Parses one line.
     *
     * @param eventId the sample's id when the record has no {@code request_id} (derived from its position, so a
     *                re-read line gets the same id)
     */
    public static Parsed parse(final String line, final Context c, final String eventId) {
        final JsonNode n;
        try {
            n = JSON.readTree(line);
        } catch (final JsonProcessingException e) {
            return new Malformed("not JSON: " + e.getOriginalMessage());
        }
        if (n == null || !n.isObject()) {
            return new Malformed("not a JSON object");
        }
        if (!SCHEMA.equals(n.path("schema").asText(null))) {
            return new Malformed("schema is " + n.path("schema") + ", not \"" + SCHEMA + "\"");
        }
        final String type = n.path("event_type").asText("");
        if (!"request_end".equals(type)) {
            return type.isEmpty() ? new Malformed("no event_type") : new Skipped(type);
        }
        final JsonNode r = n.path("request");
        if (!r.isObject()) {
            return new Malformed("request_end without a request object");
        }
        final String missing = missing(r, "ttft_ms", "total_time_ms", "input_tokens", "output_tokens",
            "request_received_ms");
        if (missing != null) {
            return new Malformed("request." + missing + " is missing or not a number (a context-free replay row "
                + "carries no timing; Dynamo adds it with session headers)");
        }
        final double ttft = r.path("ttft_ms").asDouble();
        final double total = r.path("total_time_ms").asDouble();
        final long in = r.path("input_tokens").asLong();
        final long out = r.path("output_tokens").asLong();
        final long cached = r.path("cached_tokens").isNumber() ? r.path("cached_tokens").asLong() : 0;
        final long received = r.path("request_received_ms").asLong();
        if (!(ttft >= 0) || !(total >= ttft) || in < 1 || out < 1 || cached < 0 || cached > in || received <= 0
            || in > Integer.MAX_VALUE || out > Integer.MAX_VALUE) {
            return new Malformed(String.format(java.util.Locale.ROOT, "inconsistent request: ttft_ms %s, total_time_ms"
                + " %s, input_tokens %d, cached_tokens %d, output_tokens %d, request_received_ms %d", ttft, total, in,
                cached, out, received));
        }
        final String id = r.path("request_id").isTextual() && !r.path("request_id").asText().isBlank()
            ? "dynamo-trace:" + r.path("request_id").asText() : eventId;
        return new Sample(sample(c, id, received * 1000, ttft, total, (int) in, (int) out, (int) cached));
    }

    /** The sample of one finished request: times in ms from its arrival at {@code startUs}. */
    private static LatencySample sample(final Context c, final String id, final long startUs, final double ttft,
                                        final double total, final int in, final int out, final int cached) {
        final long endUs = startUs + Math.round(total * 1000);
        return LatencySample.newBuilder()
            .setEventId(id)
            .setEventTimeUs(endUs)
            .setSource(new SampleSource(SourceKind.IMPORT, c.workerId(), null))
            .setPhase(Phase.PROFILING)
            .setDeployment(c.deployment())
            .setRole(c.role())
            .setMapping(c.mapping())
            .setLoad(new Load(c.inFlight(), Math.max(1, in - cached), out, Sweep.UNPLANNED))
            .setTtftMs(ttft)
            .setItlMs(out >= 2 ? (total - ttft) / (out - 1) : null)
            .setRequestLatencyMs(total)
            .setInputTokens(in)
            .setOutputTokens(out)
            .setCachedTokens(cached)
            .setRequestStartUs(startUs)
            .setRequestEndUs(endUs)
            .setStatus(new RequestStatus(StatusCode.OK, null, null, null))
            .build();
    }

    private static String missing(final JsonNode r, final String... fields) {
        for (final String f : fields) {
            if (!r.path(f).isNumber()) {
                return f;
            }
        }
        return null;
    }
}
