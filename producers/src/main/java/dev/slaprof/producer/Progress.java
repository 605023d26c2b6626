package dev.slaprof.producer;

import java.io.PrintStream;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicInteger;

/** Points done / total with an ETA, printed on one line per update for one phase. */
public final class Progress {
    private final String phase;
    private final int total;
    private final PrintStream out;
    private final long startNs = System.nanoTime();
    private final AtomicInteger done = new AtomicInteger();

    public Progress(final String phase, final int total, final PrintStream out) {
        this.phase = phase;
        this.total = total;
        this.out = out;
    }

    /** Marks one point done and prints the bar. */
    public void step(final String what) {
        final int d = done.incrementAndGet();
        if (out == null) {
            return;
        }
        final double elapsedS = (System.nanoTime() - startNs) / 1e9;
        final double etaS = d == 0 ? 0 : elapsedS / d * (total - d);
        final int width = 24;
        final int filled = total == 0 ? width : Math.min(width, d * width / total);
        out.printf(Locale.ROOT, "  %-22s [%s%s] %3d/%-3d %5.1fs elapsed, ETA %5.1fs  %s%n", phase, "#".repeat(filled),
            ".".repeat(width - filled), d, total, elapsedS, etaS, what);
    }
}
