package dev.slaprof.dynamo;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.slaprof.schema.avro.Recommendation;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/** {@code profiler_status.yaml} of a finished profile (interop spec section 3.5). */
public final class ProfilerStatusDoc {
    private ProfilerStatusDoc() {
    }

    /** profiler_status.yaml of a finished profile (section 3.5). */
    public static ObjectNode status(final Recommendation r) {
        final ObjectNode s = V1beta1.JSON.createObjectNode().put("status", "success").put("timestamp",
            DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss'Z'").withZone(ZoneOffset.UTC)
                .format(Instant.ofEpochSecond(r.getGeneratedAtUs() / 1_000_000)));
        s.put("message", "Profiler completed successfully");
        s.putObject("outputs").put("final_config", "final_config.yaml");
        s.put("phase", "Done");
        return s;
    }
}
