package dev.slaprof.profiler;

import dev.slaprof.producer.Endpoint;
import dev.slaprof.producer.LoadDriver.Capacity;
import dev.slaprof.schema.Mappings;
import dev.slaprof.schema.avro.Mapping;
import java.io.IOException;
import java.io.PrintStream;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;

/**
 * Real engine servers that slaprof starts itself, one per candidate mapping, from the backend's command template
 * ({@link EngineTemplates}). The candidates are packed onto the devices of {@code --gpus} in waves ({@link GpuWaves}):
 * the first wave starts at once, and a later one when the sweep asks for one of its engines ({@link #acquire}), after
 * the running wave is stopped. Each engine is waited for on its health path (failing fast when its process exits),
 * its log is kept, and its KV capacity is read from that log and from {@code /metrics}. A candidate that fails is
 * left out with its reason and its log's tail ({@link #notes()}). {@link #close()} stops every engine: SIGTERM to the
 * process and its descendants, a grace period, then SIGKILL; a shutdown hook does the same on Ctrl-C, so no engine
 * process outlives the run.
 */
public final class LocalEngines implements AutoCloseable, EngineGate {
    private final List<EngineProcess> engines = new ArrayList<>();
    private final Set<EngineProcess> healthy = ConcurrentHashMap.newKeySet();
    private final Set<EngineProcess> failed = ConcurrentHashMap.newKeySet();
    private final List<String> notes = new ArrayList<>();
    private final Map<String, Capacity> capacities = new ConcurrentHashMap<>();
    private final List<Map<String, Capacity>> alsoInto = new ArrayList<>();
    private final EngineTemplates.Template template;
    private final LocalEngineSettings options;
    private final Map<String, String> names;
    private final PrintStream out;
    private final Thread hook;
    private volatile int running = -1;
    private boolean closed;

    private LocalEngines(final EngineTemplates.Template template, final LocalEngineSettings options,
                         final Map<String, String> names, final PrintStream out) {
        this.template = template;
        this.options = options;
        this.names = names;
        this.out = out;
        this.hook = new Thread(this::stopAll, "slaprof-engines-stop");
        Runtime.getRuntime().addShutdownHook(hook);
    }

    /**
     * Plans the waves, starts the first one and waits until each of its engines is healthy or has failed (the next
     * wave is tried while none is healthy). {@code model}: what the servers load; {@code served}: the model name the
     * requests carry.
     */
    public static LocalEngines start(final EngineTemplates.Template t, final LocalEngineSettings o, final String model,
                              final String served, final List<Mapping> mappings, final Path logDir,
                              final PrintStream out) throws IOException, InterruptedException {
        final List<Integer> devices = o.devices();
        final GpuWaves.Plan plan = GpuWaves.plan(mappings, devices);
        if (plan.slots().isEmpty()) {
            throw new IllegalArgumentException("every candidate (" + mappings.stream().map(Mappings::label)
                .collect(Collectors.joining(", ")) + ") needs more GPUs than --gpus gives (" + devices.size()
                + "); give more devices or lower --max-num-gpus-per-engine");
        }
        Files.createDirectories(logDir);
        final LocalEngines fleet = new LocalEngines(t, o, Map.of("python", o.python(), "model", model,
            "served_model_name", served), out);
        try {
            for (final Mapping m : plan.tooLarge()) {
                fleet.note(Mappings.label(m), "needs " + m.getGpus() + " GPUs and --gpus gives " + devices.size()
                    + "; not started");
            }
            if (plan.waves() > 1) {
                out.println("slaprof: the candidates need more GPUs than --gpus gives; they run in " + plan.waves()
                    + " waves, each swept and stopped before the next starts: " + GpuWaves.describe(plan));
            }
            for (final GpuWaves.Slot slot : plan.slots()) {
                fleet.engines.add(new EngineProcess(slot, EngineProcess.freePort(), logDir.resolve("engine-"
                    + Mappings.label(slot.mapping()).replaceAll("[^A-Za-z0-9]+", "").toLowerCase(Locale.ROOT)
                    + ".log")));
            }
            for (int w = 0; w < plan.waves() && fleet.healthy.isEmpty(); w++) {
                fleet.startWave(w);
            }
            if (fleet.healthy.isEmpty()) {
                throw new IllegalStateException("no engine candidate started: " + String.join(" | ", fleet.notes()));
            }
            return fleet;
        } catch (final IOException | InterruptedException | RuntimeException e) {
            fleet.close();
            throw e;
        }
    }

    /** Stops the running wave's engines and starts wave {@code w}'s, waiting until each is healthy or failed. */
    private void startWave(final int w) throws IOException, InterruptedException {
        final List<EngineProcess> wave = engines.stream().filter(e -> e.wave() == w && !failed.contains(e)).toList();
        if (running >= 0 && running != w) {
            final List<EngineProcess> stopping = engines.stream().filter(e -> e.wave() == running).toList();
            out.println("slaprof: stopping wave " + (running + 1) + " (" + labels(stopping) + ") to start wave "
                + (w + 1) + " (" + labels(wave) + ")");
            stopping.parallelStream().forEach(e -> e.stop(options.stopGrace().toMillis()));
            healthy.removeAll(stopping);
        }
        running = w;
        final int cores = Runtime.getRuntime().availableProcessors();
        for (final EngineProcess e : wave) {
            final Map<String, String> values = new LinkedHashMap<>(names);
            values.put("port", Integer.toString(e.port()));
            values.put("tp", Integer.toString(e.mapping().getTp()));
            values.put("cpu_bind", GpuWaves.cpuBind(e.mapping().getTp(), cores));
            final boolean cpu = e.devices().isEmpty();
            final ProcessBuilder pb = new ProcessBuilder(template.argv(values, cpu));
            pb.environment().putAll(template.environment(values, cpu));
            if (!cpu) {
                pb.environment().put("CUDA_VISIBLE_DEVICES", e.devices().stream().map(String::valueOf)
                    .collect(Collectors.joining(",")));
            }
            e.start(pb);
            out.println("slaprof: started " + template.backend() + " " + e.label() + " (pid " + e.process().pid()
                + ", " + (cpu ? "CPU" : "GPUs " + e.devices()) + ", port " + e.port() + ", log " + e.log() + ")");
        }
        awaitHealthy(wave);
    }

    private void awaitHealthy(final List<EngineProcess> wave) throws InterruptedException {
        final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        final long t0 = System.nanoTime();
        final long deadline = t0 + options.startTimeout().toNanos();
        final List<EngineProcess> waiting = new ArrayList<>(wave);
        long nextReport = t0 + Duration.ofSeconds(30).toNanos();
        while (!waiting.isEmpty()) {
            for (final EngineProcess e : new ArrayList<>(waiting)) {
                e.remember();
                if (!e.alive()) {
                    waiting.remove(e);
                    fail(e, "exited with code " + e.process().exitValue() + " before it was healthy");
                } else if (e.answers(http, template.health())) {
                    waiting.remove(e);
                    healthy.add(e);
                    out.printf(Locale.ROOT, "slaprof: %s healthy after %.1f s%n", e.label(),
                        (System.nanoTime() - t0) / 1e9);
                    EngineLog.capacity(http, e.url(), e.label(), e.log(), out).ifPresent(c -> record(e.label(), c));
                } else if (System.nanoTime() > deadline) {
                    waiting.remove(e);
                    e.stop(options.stopGrace().toMillis());
                    fail(e, "not healthy after " + options.startTimeout().toSeconds() + " s (stopped)");
                }
            }
            if (!waiting.isEmpty()) {
                if (System.nanoTime() > nextReport) {
                    out.printf(Locale.ROOT, "slaprof: waiting for %s (%.0f s)%n", labels(waiting),
                        (System.nanoTime() - t0) / 1e9);
                    nextReport += Duration.ofSeconds(30).toNanos();
                }
                // A poll, not a wait for a signal: an engine server announces readiness only on its health path.
                Thread.sleep(1000);
            }
        }
    }

    private synchronized void record(final String label, final Capacity c) {
        capacities.put(label, c);
        alsoInto.forEach(m -> m.putIfAbsent(label, c));
    }

    /**
     * Also puts every KV capacity read, so far and from now on (a later wave's), into {@code target}, keeping the
     * entries it has (the user's own); the map must be safe for concurrent use.
     */
    public synchronized void recordCapacitiesIn(final Map<String, Capacity> target) {
        alsoInto.add(target);
        capacities.forEach(target::putIfAbsent);
    }

    private void fail(final EngineProcess e, final String why) {
        failed.add(e);
        note(e.label(), why + "; the last lines of " + e.log().getFileName() + ": " + EngineLog.tail(e.log()));
    }

    private void note(final String label, final String why) {
        final String note = "Engine candidate " + label + " failed: " + why;
        synchronized (notes) {
            notes.add(note);
        }
        out.println("slaprof: WARNING " + note);
    }

    /**
     * The candidates the sweep may measure, in candidate order: the first wave's healthy engines and every engine
     * of the later waves (which start when the sweep reaches them).
     */
    public List<EngineProcess> candidates() {
        return engines.stream().filter(e -> e.wave() == running ? healthy.contains(e) : !failed.contains(e))
            .toList();
    }

    /** The KV capacities read from the engines' logs (or /metrics), by mapping label; a live view. */
    public Map<String, Capacity> capacities() {
        return Collections.unmodifiableMap(capacities);
    }

    /** The candidates that failed, each with its reason and its log's tail. */
    public List<String> notes() {
        synchronized (notes) {
            return List.copyOf(notes);
        }
    }

    /** The waves in sweep order, the running one first, so that a sweep starts as few engines as it can. */
    @Override
    public List<List<Endpoint>> groups(final List<Endpoint> endpoints) {
        final Map<Integer, List<Endpoint>> byWave = new TreeMap<>(Comparator.comparingInt((Integer w) ->
            w == running ? -1 : w));
        for (final Endpoint ep : endpoints) {
            final int w = engine(ep).map(EngineProcess::wave).orElse(running);
            byWave.computeIfAbsent(w, k -> new ArrayList<>()).add(ep);
        }
        return List.copyOf(byWave.values());
    }

    @Override
    public synchronized boolean acquire(final Endpoint ep) {
        final Optional<EngineProcess> found = engine(ep);
        if (found.isEmpty() || closed || failed.contains(found.get())) {
            return false;
        }
        final EngineProcess e = found.get();
        if (e.wave() == running) {
            // A healthy engine that died since is recorded by checkAlive; its points fail as requests, and count.
            return true;
        }
        try {
            startWave(e.wave());
        } catch (final InterruptedException x) {
            Thread.currentThread().interrupt();
            return false;
        } catch (final IOException x) {
            fail(e, "could not start: " + x.getMessage());
        }
        return healthy.contains(e);
    }

    private Optional<EngineProcess> engine(final Endpoint ep) {
        return engines.stream().filter(e -> e.url().equals(ep.url())).findFirst();
    }

    /**
     * Checks the healthy engines once: one whose process has exited since is recorded as failed, with its exit code
     * and log tail.
     *
     * @return true when an engine was found dead
     */
    public boolean checkAlive() {
        boolean died = false;
        for (final EngineProcess e : List.copyOf(healthy)) {
            e.remember();
            if (!e.alive() && !failed.contains(e)) {
                fail(e, "its process (pid " + e.process().pid() + ") exited with code " + e.process().exitValue()
                    + " during the sweep; its points after that failed");
                died = true;
            }
        }
        return died;
    }

    private synchronized void stopAll() {
        if (closed) {
            return;
        }
        closed = true;
        engines.parallelStream().forEach(e -> e.stop(options.stopGrace().toMillis()));
    }

    @Override
    public void close() {
        stopAll();
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (final IllegalStateException e) {
            // Shutting down already: the hook is running or has run.
        }
    }

    private static String labels(final List<EngineProcess> es) {
        return es.stream().map(EngineProcess::label).collect(Collectors.joining(", "));
    }
}
