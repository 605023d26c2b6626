package dev.slaprof.producer;

import dev.slaprof.schema.avro.Deployment;
import dev.slaprof.schema.avro.Mapping;
import dev.slaprof.schema.avro.Role;

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
}
