package dev.slaprof.cli;

import dev.slaprof.producer.LoadDriver.Capacity;
import dev.slaprof.schema.Mappings;
import dev.slaprof.schema.avro.Mapping;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;

/**
 * Real engine servers that slaprof starts itself, one per candidate mapping, from the backend's command template
 * ({@link EngineTemplates}). Every candidate that fits the devices starts at once; each is waited for on its health
 * path (failing fast when its process exits), its log is kept, and its KV capacity is read from that log and from
 * {@code /metrics}. A candidate that fails is left out with its reason and its log's tail ({@link #notes()}).
 * {@link #close()} stops every engine: SIGTERM to the process and its descendants, a grace period, then SIGKILL; a
 * shutdown hook does the same on Ctrl-C, so no engine process outlives the run.
 */
final class LocalEngines implements AutoCloseable {
    /**
     * One started engine; {@code seen} holds every descendant process seen so far, so that children orphaned by a
     * crashed server are still stopped.
     */
    record Engine(Mapping mapping, Process process, int port, Path log, List<Integer> devices,
                  Set<ProcessHandle> seen) {
        void remember() {
            process.descendants().forEach(seen::add);
        }

        String url() {
            return "http://127.0.0.1:" + port;
        }

        String label() {
            return Mappings.label(mapping);
        }
    }

    private final List<Engine> engines = new ArrayList<>();
    private final List<Engine> healthy = new ArrayList<>();
    private final List<String> notes = new ArrayList<>();
    private final Map<String, Capacity> capacities = new LinkedHashMap<>();
    private final Duration grace;
    private final Thread hook;
    private boolean closed;

    private LocalEngines(final Duration grace) {
        this.grace = grace;
        this.hook = new Thread(this::stopAll, "slaprof-engines-stop");
        Runtime.getRuntime().addShutdownHook(hook);
    }

    /**
     * Starts one engine per mapping and waits until each is healthy or has failed.
     *
     * @param model    the model folder or id the servers load
     * @param served   the model name the requests carry
     * @param logDir   where each engine's log goes
     */
    static LocalEngines start(final EngineTemplates.Template t, final LocalEngineOptions o, final String model,
                              final String served, final List<Mapping> mappings, final Path logDir,
                              final PrintStream out) throws IOException, InterruptedException {
        final List<Integer> devices = o.devices();
        final boolean cpu = devices.isEmpty();
        final int need = mappings.stream().mapToInt(Mapping::getGpus).sum();
        if (!cpu && need > devices.size()) {
            throw new IllegalArgumentException("the candidates " + mappings.stream().map(Mappings::label)
                .collect(Collectors.joining(", ")) + " need " + need + " GPUs at once and --gpus gives "
                + devices.size() + "; give more devices or lower --max-num-gpus-per-engine");
        }
        Files.createDirectories(logDir);
        final LocalEngines fleet = new LocalEngines(o.stopGrace);
        try {
            int next = 0;
            final int cores = Runtime.getRuntime().availableProcessors();
            for (final Mapping m : mappings) {
                final List<Integer> mine = cpu ? List.of() : devices.subList(next, next + m.getGpus());
                next += cpu ? 0 : m.getGpus();
                final int port = freePort();
                final Map<String, String> values = new LinkedHashMap<>();
                values.put("python", o.python);
                values.put("model", model);
                values.put("served_model_name", served);
                values.put("port", Integer.toString(port));
                values.put("tp", Integer.toString(m.getTp()));
                values.put("cpu_bind", cpuBind(m.getTp(), cores));
                final ProcessBuilder pb = new ProcessBuilder(t.argv(values, cpu));
                pb.environment().putAll(t.environment(values, cpu));
                if (!cpu) {
                    pb.environment().put("CUDA_VISIBLE_DEVICES", mine.stream().map(String::valueOf)
                        .collect(Collectors.joining(",")));
                }
                final Path log = logDir.resolve("engine-" + Mappings.label(m).replaceAll("[^A-Za-z0-9]+", "")
                    .toLowerCase(Locale.ROOT) + ".log");
                pb.redirectErrorStream(true).redirectOutput(log.toFile());
                final Process p = pb.start();
                fleet.engines.add(new Engine(m, p, port, log, mine, ConcurrentHashMap.newKeySet()));
                out.println("slaprof: started " + t.backend() + " " + Mappings.label(m) + " (pid " + p.pid() + ", "
                    + (cpu ? "CPU" : "GPUs " + mine) + ", port " + port + ", log " + log + ")");
            }
            fleet.awaitHealthy(t.health(), o.startTimeout, out);
            return fleet;
        } catch (final IOException | InterruptedException | RuntimeException e) {
            fleet.close();
            throw e;
        }
    }

    /** One OpenMP core list per TP rank over {@code cores} cores, "|"-separated: 2 ranks on 2 cores is "0|1". */
    static String cpuBind(final int tp, final int cores) {
        if (tp <= 1) {
            return "auto";
        }
        final List<String> ranks = new ArrayList<>();
        final int per = Math.max(1, cores / tp);
        for (int r = 0; r < tp; r++) {
            final int a = (r * per) % cores;
            final int b = Math.min(cores - 1, a + per - 1);
            ranks.add(a == b ? Integer.toString(a) : a + "-" + b);
        }
        return String.join("|", ranks);
    }

    private void awaitHealthy(final String path, final Duration timeout, final PrintStream out)
        throws InterruptedException {
        final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        final long t0 = System.nanoTime();
        final long deadline = t0 + timeout.toNanos();
        final List<Engine> waiting = new ArrayList<>(engines);
        long nextReport = t0 + Duration.ofSeconds(30).toNanos();
        while (!waiting.isEmpty()) {
            for (final Engine e : new ArrayList<>(waiting)) {
                e.remember();
                if (!e.process().isAlive()) {
                    waiting.remove(e);
                    fail(e, "exited with code " + e.process().exitValue() + " before it was healthy", out);
                } else if (answers(http, e.url() + path)) {
                    waiting.remove(e);
                    healthy.add(e);
                    out.printf(Locale.ROOT, "slaprof: %s healthy after %.1f s%n", e.label(),
                        (System.nanoTime() - t0) / 1e9);
                    EngineLog.capacity(http, e.url(), e.label(), e.log(), out).ifPresent(c ->
                        capacities.put(e.label(), c));
                } else if (System.nanoTime() > deadline) {
                    waiting.remove(e);
                    stop(e);
                    fail(e, "not healthy after " + timeout.toSeconds() + " s (stopped)", out);
                }
            }
            if (!waiting.isEmpty()) {
                if (System.nanoTime() > nextReport) {
                    out.printf(Locale.ROOT, "slaprof: waiting for %s (%.0f s)%n", waiting.stream()
                        .map(Engine::label).collect(Collectors.joining(", ")), (System.nanoTime() - t0) / 1e9);
                    nextReport += Duration.ofSeconds(30).toNanos();
                }
                // A poll, not a wait for a signal: an engine server announces readiness only on its health path.
                Thread.sleep(1000);
            }
        }
        healthy.sort((a, b) -> Integer.compare(engines.indexOf(a), engines.indexOf(b)));
        if (healthy.isEmpty()) {
            throw new IllegalStateException("no engine candidate started: " + String.join(" | ", notes));
        }
    }

    private static boolean answers(final HttpClient http, final String url) throws InterruptedException {
        try {
            return http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5)).GET().build(),
                HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
        } catch (final IOException e) {
            return false;
        }
    }

    private void fail(final Engine e, final String why, final PrintStream out) {
        final String note = "Engine candidate " + e.label() + " failed: " + why + "; the last lines of "
            + e.log().getFileName() + ": " + EngineLog.tail(e.log());
        synchronized (notes) {
            notes.add(note);
        }
        out.println("slaprof: WARNING " + note);
    }

    /** The engines that answered their health check, in candidate order. */
    List<Engine> healthy() {
        return List.copyOf(healthy);
    }

    /** The KV capacities read from the engines' logs (or /metrics), by mapping label. */
    Map<String, Capacity> capacities() {
        return Map.copyOf(capacities);
    }

    /** The candidates that failed, each with its reason and its log's tail. */
    List<String> notes() {
        synchronized (notes) {
            return List.copyOf(notes);
        }
    }

    /**
     * Checks the healthy engines once: one whose process has exited since is recorded as failed, with its exit code
     * and log tail.
     *
     * @return true when an engine was found dead
     */
    boolean checkAlive(final PrintStream out) {
        boolean died = false;
        for (final Engine e : healthy) {
            e.remember();
            final boolean recorded;
            synchronized (notes) {
                recorded = notes.stream().anyMatch(n -> n.startsWith("Engine candidate " + e.label() + " "));
            }
            if (!e.process().isAlive() && !recorded) {
                fail(e, "its process (pid " + e.process().pid() + ") exited with code " + e.process().exitValue()
                    + " during the sweep; its points after that failed", out);
                died = true;
            }
        }
        return died;
    }

    private void stop(final Engine e) {
        e.remember();
        final List<ProcessHandle> all = new ArrayList<>(e.seen());
        all.add(0, e.process().toHandle());
        all.forEach(ProcessHandle::destroy);
        final long deadline = System.nanoTime() + grace.toNanos();
        for (final ProcessHandle h : all) {
            while (h.isAlive() && System.nanoTime() < deadline) {
                try {
                    h.onExit().get(Math.max(1, (deadline - System.nanoTime()) / 1_000_000),
                        java.util.concurrent.TimeUnit.MILLISECONDS);
                } catch (final java.util.concurrent.TimeoutException ex) {
                    break;
                } catch (final java.util.concurrent.ExecutionException ex) {
                    break;
                } catch (final InterruptedException ex) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
        }
        all.stream().filter(ProcessHandle::isAlive).forEach(ProcessHandle::destroyForcibly);
        // Children started after the snapshot (a worker forked during shutdown) go the same way.
        e.process().descendants().filter(ProcessHandle::isAlive).forEach(ProcessHandle::destroyForcibly);
    }

    private synchronized void stopAll() {
        if (closed) {
            return;
        }
        closed = true;
        engines.parallelStream().forEach(this::stop);
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

    private static int freePort() {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        } catch (final IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
