package dev.slaprof.simulator;

import dev.slaprof.schema.Mappings;
import dev.slaprof.schema.avro.Mapping;
import dev.slaprof.schema.avro.Role;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/** A set of simulated engines, one HTTP server per (model, GPU, mapping, role), on loopback ports. */
public final class Fleet implements AutoCloseable {
    /** One running engine and what it simulates. */
    public record Engine(String model, String gpu, Mapping mapping, Role role, EngineServer server) {
        public String url() {
            return server.url();
        }

        public String label() {
            return role + " " + Mappings.label(mapping);
        }
    }

    private final List<Engine> engines = new ArrayList<>();

    /**
     * Starts one engine per mapping and role. Prefill engines run without prefix caching, decode engines with it,
     * as Dynamo's profiler configures them.
     */
    public static Fleet start(final Catalog catalog, final String model, final String gpu, final List<Mapping> mappings,
                              final List<Role> roles, final double timeScale, final double jitterSigma,
                              final long seed, final Faults faults) throws IOException {
        final Fleet fleet = new Fleet();
        final ModelSpec m = catalog.model(model);
        final GpuSpec g = catalog.gpu(gpu);
        long s = seed;
        try {
            for (final Role role : roles) {
                for (final Mapping mapping : mappings) {
                    final PerfModel pm = new PerfModel(m, g, catalog.params(g), mapping);
                    final SimEngine engine = new SimEngine(pm, timeScale, role != Role.PREFILL, jitterSigma, s++);
                    final EngineServer server = new EngineServer(engine, m.name(), faults, "127.0.0.1", 0);
                    fleet.engines.add(new Engine(m.name(), g.name(), mapping, role, server));
                }
            }
        } catch (final IOException | RuntimeException e) {
            fleet.close();
            throw e;
        }
        return fleet;
    }

    /**
     * One engine of {@code mapping} on 127.0.0.1:{@code port}, serving both roles (prefix caching on, as a decode
     * engine): the server an engine template starts for {@code --engines local}.
     */
    public static EngineServer serveOne(final Catalog catalog, final String model, final String gpu,
                                        final Mapping mapping, final double timeScale, final Faults faults,
                                        final int port) throws IOException {
        final ModelSpec m = catalog.model(model);
        final GpuSpec g = catalog.gpu(gpu);
        final SimEngine engine = new SimEngine(new PerfModel(m, g, catalog.params(g), mapping), timeScale, true, 0.03,
            1);
        return new EngineServer(engine, m.name(), faults, "127.0.0.1", port);
    }

    public List<Engine> engines() {
        return List.copyOf(engines);
    }

    @Override
    public void close() {
        for (final Engine e : engines) {
            e.server().close();
        }
    }
}
