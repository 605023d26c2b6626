package dev.slaprof.cli;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Keeps a long-running subcommand alive until Ctrl-C (SIGTERM/SIGINT), then lets its resources close: the shutdown
 * hook opens the stop signal and waits (at most {@link #CLOSE_WAIT_MS}) for the command's thread to finish closing.
 */
final class Daemon {
    /** How long the JVM waits on SIGTERM for a command to close its resources. */
    static final long CLOSE_WAIT_MS = 30_000;
    private static final CountDownLatch STOP = new CountDownLatch(1);
    /** Opens when the command has returned (its resources closed), just before the JVM exits with its code. */
    private static final CountDownLatch DONE = new CountDownLatch(1);
    private static boolean hooked;

    private Daemon() {
    }

    /** The signal that opens when the JVM is asked to stop; the hook then waits for the command to return. */
    static synchronized CountDownLatch stopSignal() {
        if (!hooked) {
            hooked = true;
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                STOP.countDown();
                try {
                    // Not a join: once the command has returned, its thread waits in System.exit for this very hook.
                    DONE.await(CLOSE_WAIT_MS, TimeUnit.MILLISECONDS);
                } catch (final InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }, "slaprof-shutdown"));
        }
        return STOP;
    }

    /** Blocks until the JVM is asked to stop. */
    static void awaitShutdown() throws InterruptedException {
        stopSignal().await();
    }

    /** Called by {@code main} when the command has returned, just before {@code System.exit}. */
    static void exiting() {
        DONE.countDown();
    }
}
