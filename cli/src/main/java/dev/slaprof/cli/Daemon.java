package dev.slaprof.cli;

import java.util.concurrent.CountDownLatch;

/** Keeps a long-running subcommand alive until Ctrl-C (SIGTERM/SIGINT), then lets its resources close. */
final class Daemon {
    private Daemon() {
    }

    /** Blocks until the JVM is asked to stop. */
    static void awaitShutdown() throws InterruptedException {
        final CountDownLatch stop = new CountDownLatch(1);
        final Thread main = Thread.currentThread();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            stop.countDown();
            try {
                // Give the command's try-with-resources time to close cleanly before the JVM exits.
                main.join(30_000);
            } catch (final InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "slaprof-shutdown"));
        stop.await();
    }
}
