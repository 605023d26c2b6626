package dev.slaprof.profiler;

import dev.slaprof.schema.Mappings;
import dev.slaprof.schema.avro.Mapping;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * One candidate's engine server process: its place ({@link GpuWaves.Slot}), its loopback port and log file, which
 * stay the same when a later wave starts it again, and every descendant process seen so far, so that children
 * orphaned by a crashed server are still stopped.
 */
public final class EngineProcess {
    private final GpuWaves.Slot slot;
    private final int port;
    private final Path log;
    private final Set<ProcessHandle> seen = ConcurrentHashMap.newKeySet();
    private volatile Process process;

    public EngineProcess(final GpuWaves.Slot slot, final int port, final Path log) {
        this.slot = slot;
        this.port = port;
        this.log = log;
    }

    /**
     * Starts the server. The first start replaces the log of an earlier run; a restart (a later wave asks for this
     * engine again) appends to it, so the earlier start's lines stay.
     */
    public void start(final ProcessBuilder pb) throws IOException {
        pb.redirectErrorStream(true).redirectOutput(process == null ? ProcessBuilder.Redirect.to(log.toFile())
            : ProcessBuilder.Redirect.appendTo(log.toFile()));
        process = pb.start();
    }

    public Mapping mapping() {
        return slot.mapping();
    }

    public int wave() {
        return slot.wave();
    }

    public List<Integer> devices() {
        return slot.devices();
    }

    public Path log() {
        return log;
    }

    public String url() {
        return "http://127.0.0.1:" + port;
    }

    public int port() {
        return port;
    }

    public String label() {
        return Mappings.label(slot.mapping());
    }

    /** The running (or last) process; null before the first start. */
    public Process process() {
        return process;
    }

    public boolean alive() {
        return process != null && process.isAlive();
    }

    /** Notes the process's current descendants. */
    public void remember() {
        if (process != null) {
            process.descendants().forEach(seen::add);
        }
    }

    /** SIGTERM to the process and every descendant seen, {@code graceMs} to exit, then SIGKILL. */
    public void stop(final long graceMs) {
        if (process == null) {
            return;
        }
        remember();
        final List<ProcessHandle> all = new ArrayList<>(seen);
        all.add(0, process.toHandle());
        all.forEach(ProcessHandle::destroy);
        final long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(graceMs);
        for (final ProcessHandle h : all) {
            final long left = deadline - System.nanoTime();
            if (!h.isAlive() || left <= 0) {
                continue;
            }
            try {
                h.onExit().get(Math.max(1, left / 1_000_000), TimeUnit.MILLISECONDS);
            } catch (final TimeoutException | ExecutionException e) {
                // Still running after the grace period: killed below.
            } catch (final InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        all.stream().filter(ProcessHandle::isAlive).forEach(ProcessHandle::destroyForcibly);
        // Children started after the snapshot (a worker forked during shutdown) go the same way.
        process.descendants().filter(ProcessHandle::isAlive).forEach(ProcessHandle::destroyForcibly);
        seen.clear();
    }

    /** True when the server answers 200 on its health path. */
    public boolean answers(final HttpClient http, final String path) throws InterruptedException {
        try {
            return http.send(HttpRequest.newBuilder(URI.create(url() + path)).timeout(Duration.ofSeconds(5)).GET()
                .build(), HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
        } catch (final IOException e) {
            return false;
        }
    }

    /** A loopback port free now, for an engine to listen on. */
    public static int freePort() {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        } catch (final IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
