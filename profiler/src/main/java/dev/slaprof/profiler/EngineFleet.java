package dev.slaprof.profiler;

import dev.slaprof.producer.Endpoint;
import dev.slaprof.producer.HttpLoadDriver;
import dev.slaprof.producer.LoadDriver;
import dev.slaprof.producer.StreamingClient;
import dev.slaprof.schema.avro.Deployment;
import dev.slaprof.schema.avro.Mapping;
import dev.slaprof.schema.avro.Role;
import dev.slaprof.simulator.Catalog;
import dev.slaprof.simulator.Faults;
import dev.slaprof.simulator.Fleet;
import dev.slaprof.simulator.VirtualFleet;
import java.io.IOException;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * The engines of {@code slaprof run}, in one of three kinds: {@code virtual} (the default: a discrete-event
 * simulation in virtual time, exact and reproducible), {@code http} (simulated OpenAI-compatible servers in scaled
 * real time, measured over loopback HTTP, for exercising the real client path; its error against the engines' own
 * schedule is measured and printed) or {@code local} (the backend's real servers, started by slaprof:
 * {@link LocalEngines}).
 */
public final class EngineFleet implements AutoCloseable {
    /** Which fleet. */
    public enum Kind {
        VIRTUAL, HTTP, LOCAL;

        public static Kind parse(final String s) {
            return switch (s.toLowerCase(Locale.ROOT)) {
                case "virtual" -> VIRTUAL;
                case "http" -> HTTP;
                case "local" -> LOCAL;
                default -> throw new IllegalArgumentException("unknown --engines '" + s + "' (virtual, http, local)");
            };
        }
    }

    private final Kind kind;
    private final List<Endpoint> endpoints;
    private final LoadDriver driver;
    private final VirtualFleet virtual;
    private final Fleet http;
    private final LocalEngines local;
    private final String description;

    private EngineFleet(final Kind kind, final List<Endpoint> endpoints, final LoadDriver driver,
                        final VirtualFleet virtual, final Fleet http, final LocalEngines local,
                        final String description) {
        this.kind = kind;
        this.endpoints = endpoints;
        this.driver = driver;
        this.virtual = virtual;
        this.http = http;
        this.local = local;
        this.description = description;
    }

    /**
     * The real engines slaprof started: each healthy one serves as the prefill and the decode engine of its mapping
     * (one at a time, as in Dynamo's sweep), measured over HTTP with the KV capacities read from their logs.
     */
    public static EngineFleet local(final LocalEngines engines, final Deployment deployment, final PrintStream out) {
        final List<Endpoint> endpoints = new ArrayList<>();
        for (final Role role : List.of(Role.PREFILL, Role.DECODE)) {
            engines.candidates().forEach(e -> endpoints.add(new Endpoint(e.url(), deployment, role, e.mapping(),
                false)));
        }
        final LoadDriver driver = new HttpLoadDriver(StreamingClient.create(Duration.ofMinutes(30), 1),
            engines.capacities(), w -> out.println("slaprof: warning: " + w));
        return new EngineFleet(Kind.LOCAL, endpoints, driver, null, null, engines, engines.candidates().size()
            + " real engines started by slaprof (" + engines.candidates().stream().map(EngineProcess::label)
            .collect(Collectors.joining(", ")) + "); samples are labelled BENCHMARK");
    }

    /** What starts an endpoint's engine before the sweep measures it: the local engines' waves, or nothing. */
    public EngineGate gate() {
        return local != null ? local : EngineGate.OPEN;
    }

    /** The real engines of a local fleet, or null. */
    public LocalEngines localEngines() {
        return local;
    }

    /** Builds (and for HTTP starts) one prefill and one decode engine per mapping. */
    public static EngineFleet start(final Kind kind, final Catalog catalog, final String model, final String gpu,
                                final List<Mapping> mappings, final Deployment deployment, final double jitter,
                                final long seed, final double timeScale) throws IOException {
        final List<Role> roles = List.of(Role.PREFILL, Role.DECODE);
        final List<Endpoint> endpoints = new ArrayList<>();
        if (kind == Kind.VIRTUAL) {
            final VirtualFleet fleet = VirtualFleet.create(catalog, model, gpu, mappings, roles, jitter, seed);
            fleet.engines().forEach(e -> endpoints.add(new Endpoint(e.url(), deployment, e.role(), e.mapping(),
                true)));
            return new EngineFleet(kind, endpoints, new VirtualLoadDriver(fleet), fleet, null, null,
                String.format(Locale.ROOT, "%d simulated engines in virtual time (discrete-event, jitter sigma %.3f, "
                    + "seed %d); samples are labelled SIMULATED", endpoints.size(), jitter, seed));
        }
        final Fleet fleet = Fleet.start(catalog, model, gpu, mappings, roles, timeScale, jitter, seed, Faults.NONE);
        fleet.engines().forEach(e -> endpoints.add(new Endpoint(e.url(), deployment, e.role(), e.mapping(), true)));
        return new EngineFleet(kind, endpoints, new HttpLoadDriver(StreamingClient.create(Duration.ofMinutes(30),
            timeScale)), null, fleet, null, String.format(Locale.ROOT, "%d simulated engines over loopback HTTP (time "
                + "scale x%s, jitter sigma %.3f); samples are labelled SIMULATED", endpoints.size(), timeScale, jitter));
    }

    public List<Endpoint> endpoints() {
        return endpoints;
    }

    public LoadDriver driver() {
        return driver;
    }

    public String description() {
        return description;
    }

    /**
     * New jitter for a profiling round (virtual engines only: the HTTP engines' timing is the host's anyway).
     *
     * @return true when the round is reproducible from {@code seed}
     */
    public boolean reseed(final long seed) {
        if (virtual == null) {
            return false;
        }
        virtual.reseed(seed);
        return true;
    }

    @Override
    public void close() {
        driver.close();
        if (http != null) {
            http.close();
        }
        if (local != null) {
            local.close();
        }
    }
}
