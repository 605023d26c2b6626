package dev.slaprof.cli;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Keeps a long-running subcommand alive until Ctrl-C (SIGTERM/SIGINT), then lets its resources close: the shutdown
 * hook opens the stop signal and waits (at most {@link #CLOSE_WAIT_MS}) while a command is still running. A JVM whose
 * commands have all returned (a test that ran commands in-process) exits without waiting.
 */
final class Daemon {
    /** How long the JVM waits on SIGTERM for a command to close its resources. */
    static final long CLOSE_WAIT_MS = 30_000;
    private static final CountDownLatch STOP = new CountDownLatch(1);
    /** Guards {@link #running}; notified when a command returns. */
    private static final Object LOCK = new Object();
    /** Commands started through {@link Main#commandLine()} that have not returned yet. */
    private static int running;
    private static boolean hooked;

    private Daemon() {
    }

    /** The signal that opens when the JVM is asked to stop; the hook then waits for the command to return. */
    static synchronized CountDownLatch stopSignal() {
        if (!hooked) {
            hooked = true;
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                STOP.countDown();
                // Not a join: once the command has returned, its thread waits in System.exit for this very hook.
                awaitNoneRunning(CLOSE_WAIT_MS);
            }, "slaprof-shutdown"));
        }
        return STOP;
    }

    /** Blocks until the JVM is asked to stop. */
    static void awaitShutdown() throws InterruptedException {
        stopSignal().await();
    }

    /** A command starts. */
    static void started() {
        synchronized (LOCK) {
            running++;
        }
    }

    /** A command has returned, its resources closed. */
    static void returned() {
        synchronized (LOCK) {
            running--;
            LOCK.notifyAll();
        }
    }

    private static void awaitNoneRunning(final long timeoutMs) {
        final long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        synchronized (LOCK) {
            long leftMs = timeoutMs;
            while (running > 0 && leftMs > 0) {
                try {
                    LOCK.wait(leftMs);
                } catch (final InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
                leftMs = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
            }
        }
    }
}
