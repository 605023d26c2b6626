package dev.slaprof.cli;

import dev.slaprof.schema.Mappings;
import dev.slaprof.schema.avro.Mapping;
import dev.slaprof.schema.avro.Role;
import dev.slaprof.simulator.Catalog;
import dev.slaprof.simulator.Faults;
import dev.slaprof.simulator.EngineServer;
import dev.slaprof.simulator.Fleet;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "simulate", mixinStandardHelpOptions = true, showDefaultValues = true,
    description = "Serve simulated OpenAI-compatible engines (one per mapping and role) until stopped.")
final class SimulateCommand implements Callable<Integer> {
    @Option(names = "--model", defaultValue = "Qwen/Qwen3-32B", description = "Model id of config/models/models.yaml.")
    private String model;
    @Option(names = "--gpu-type", defaultValue = "H200-SXM", description = "GPU (config/gpus.yaml).")
    private String gpu;
    @Option(names = "--mapping", split = ",", defaultValue = "TP=1,TP=2,TP=4,TP=8", description = "Mappings.")
    private List<String> mappings;
    @Option(names = "--time-scale", defaultValue = "1", description = "Model ms per wall ms.")
    private double timeScale;
    @Option(names = "--error-rate", defaultValue = "0", description = "Share of requests failing with HTTP 500.")
    private double errorRate;
    @Option(names = "--abort-rate", defaultValue = "0", description = "Share of streams cut mid-way.")
    private double abortRate;
    @Option(names = "--port", description = "Serve one engine, of the one --mapping, on this loopback port (as an "
        + "engine template's server for --engines local); without it, one engine per mapping and role on free ports.")
    private Integer port;

    @Override
    public Integer call() throws Exception {
        final List<Mapping> ms = new ArrayList<>();
        mappings.forEach(m -> ms.add(Mappings.parse(m)));
        if (port != null) {
            return serveOne(ms);
        }
        try (Fleet fleet = Fleet.start(Catalog.bundled(), model, gpu, ms, List.of(Role.PREFILL, Role.DECODE),
            timeScale, 0.03, 1, new Faults(errorRate, abortRate, 0))) {
            for (final Fleet.Engine e : fleet.engines()) {
                System.out.println("slaprof: " + e.label() + " " + e.url() + "/v1/chat/completions");
            }
            Daemon.awaitShutdown();
        }
        return 0;
    }

    /** One engine on --port, serving both roles (prefix caching on, as a decode engine), until stopped. */
    private int serveOne(final List<Mapping> ms) throws Exception {
        if (ms.size() != 1) {
            throw new IllegalArgumentException("--port serves one engine: give exactly one --mapping (got " + ms.size()
                + ")");
        }
        try (EngineServer server = Fleet.serveOne(Catalog.bundled(), model, gpu, ms.get(0), timeScale,
            new Faults(errorRate, abortRate, 0), port)) {
            final String devices = System.getenv("CUDA_VISIBLE_DEVICES");
            System.out.println("slaprof: " + Mappings.label(ms.get(0)) + " " + server.url() + "/v1/chat/completions"
                + (devices == null ? "" : " (CUDA_VISIBLE_DEVICES=" + devices + ", ignored by a simulated engine)"));
            Daemon.awaitShutdown();
        }
        return 0;
    }
}
