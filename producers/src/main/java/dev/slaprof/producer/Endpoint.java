package dev.slaprof.producer;

import dev.slaprof.schema.Mappings;
import dev.slaprof.schema.avro.Deployment;
import dev.slaprof.schema.avro.Mapping;
import dev.slaprof.schema.avro.Role;
import java.util.Locale;

/**
 * An engine to measure, labelled with what it serves.
 *
 * @param url        base URL, e.g. http://127.0.0.1:8000
 * @param deployment deployment identity
 * @param role       PREFILL or DECODE
 * @param mapping    parallelization mapping
 * @param simulated  true for slaprof's simulator (samples are labelled SIMULATED)
 */
public record Endpoint(String url, Deployment deployment, Role role, Mapping mapping, boolean simulated) {
    /** An engine named {@code ROLE:MAPPING:URL} (the worker's --endpoint), e.g. prefill:TP=1:http://10.0.0.5:8000. */
    public static Endpoint parse(final String text, final Deployment deployment) {
        final String[] f = text.split(":", 3);
        if (f.length != 3) {
            throw new IllegalArgumentException("--endpoint '" + text + "' is not ROLE:MAPPING:URL");
        }
        return new Endpoint(f[2], deployment, role(f[0]), Mappings.parse(f[1]), false);
    }

    /** A role named on the command line: prefill, decode or aggregated, in any case. */
    public static Role role(final String r) {
        try {
            return Role.valueOf(r.toUpperCase(Locale.ROOT));
        } catch (final IllegalArgumentException e) {
            throw new IllegalArgumentException("unknown role '" + r + "' (prefill, decode, aggregated)");
        }
    }
}
