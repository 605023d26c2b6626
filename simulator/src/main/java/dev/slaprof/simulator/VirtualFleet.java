package dev.slaprof.simulator;

import dev.slaprof.schema.Mappings;
import dev.slaprof.schema.avro.Mapping;
import dev.slaprof.schema.avro.Role;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Simulated engines in virtual time, one per (mapping, role), as {@link Fleet} starts them over HTTP: prefill engines
 * without prefix caching, decode engines with it, as Dynamo's profiler configures them. Each engine's jitter is
 * seeded from the fleet's seed and its position, so a fleet built twice with one seed runs identically.
 */
public final class VirtualFleet {
    /** One engine and what it simulates; {@link #url()} names it ({@code virtual://decode/TP=2}). */
    public record Engine(String model, String gpu, Mapping mapping, Role role, VirtualEngine engine) {
        public String url() {
            return "virtual://" + role.name().toLowerCase(Locale.ROOT) + "/" + Mappings.label(mapping);
        }
    }

    private final List<Engine> engines = new ArrayList<>();
    private final double jitterSigma;

    private VirtualFleet(final double jitterSigma) {
        this.jitterSigma = jitterSigma;
    }

    /** Builds one engine per mapping and role. */
    public static VirtualFleet create(final Catalog catalog, final String model, final String gpu,
                                      final List<Mapping> mappings, final List<Role> roles, final double jitterSigma,
                                      final long seed) {
        final VirtualFleet fleet = new VirtualFleet(jitterSigma);
        final ModelSpec m = catalog.model(model);
        final GpuSpec g = catalog.gpu(gpu);
        for (final Role role : roles) {
            for (final Mapping mapping : mappings) {
                final PerfModel pm = new PerfModel(m, g, catalog.params(g), mapping);
                final VirtualEngine engine = new VirtualEngine(pm, role != Role.PREFILL, jitterSigma,
                    seedOf(seed, fleet.engines.size()));
                fleet.engines.add(new Engine(m.name(), g.name(), mapping, role, engine));
            }
        }
        return fleet;
    }

    /** Seed of engine {@code i}: far enough apart that no two engines' ranks share a generator. */
    private static long seedOf(final long seed, final int i) {
        return seed * 1_000_003L + i * 4_096L;
    }

    /** New jitter for every engine from {@code seed}: a profiling round reproducible from its round seed. */
    public void reseed(final long seed) {
        for (int i = 0; i < engines.size(); i++) {
            engines.get(i).engine().reseed(seedOf(seed, i));
        }
    }

    public double jitterSigma() {
        return jitterSigma;
    }

    public List<Engine> engines() {
        return List.copyOf(engines);
    }

    /** The engine named by {@code url}; an unknown name is an error that names it. */
    public Engine find(final String url) {
        for (final Engine e : engines) {
            if (e.url().equals(url)) {
                return e;
            }
        }
        throw new IllegalArgumentException("no virtual engine " + url);
    }
}
