package dev.slaprof.e2e;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Keeps a peer client and this JVM off each other's CPUs for the length of a measurement: the JVM's threads (and the
 * threads they start) run on every CPU but the last, and {@link #prefix} runs a command on the last one. It
 * uses {@code taskset} (util-linux); without it, or with one CPU, nothing is pinned and {@link #describe} says so.
 */
final class CpuSplit implements AutoCloseable {
    private static final Path TASKSET = Path.of("/usr/bin/taskset");
    private final boolean pinned;
    private final int cpus;

    private CpuSplit(final boolean pinned, final int cpus) {
        this.pinned = pinned;
        this.cpus = cpus;
    }

    private static boolean available() {
        return Files.isExecutable(TASKSET) && Runtime.getRuntime().availableProcessors() >= 2;
    }

    /** The command prefix that runs a process on the last CPU (empty when this JVM could not be moved off it). */
    List<String> prefix() {
        return pinned ? List.of(TASKSET.toString(), "-c", Integer.toString(cpus - 1)) : List.of();
    }

    /** Moves every thread of this JVM to the CPUs but the last, until closed. */
    static CpuSplit thisJvmOffTheLastCpu() throws IOException, InterruptedException {
        final int n = Runtime.getRuntime().availableProcessors();
        if (!available()) {
            return new CpuSplit(false, n);
        }
        final boolean ok = taskset("0-" + (n - 2));
        return new CpuSplit(ok, n);
    }

    private static boolean taskset(final String cpuList) throws IOException, InterruptedException {
        final Process p = new ProcessBuilder(TASKSET.toString(), "-a", "-p", "-c", cpuList,
            Long.toString(ProcessHandle.current().pid())).redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        return p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0;
    }

    String describe() {
        return pinned ? "the JVM on CPUs 0-" + (cpus - 2) + ", the peer on CPU " + (cpus - 1)
            : "not pinned (no taskset or one CPU): the peer and the JVM share " + cpus + " CPU(s)";
    }

    @Override
    public void close() throws IOException, InterruptedException {
        if (pinned) {
            taskset("0-" + (cpus - 1));
        }
    }
}
