package dev.slaprof.domain.recommend;

import dev.slaprof.schema.avro.DecodeTable;
import dev.slaprof.schema.avro.PrefillTable;
import java.util.List;

/**
 * What Dynamo 1.x's planner concludes from a profile (interop spec section 4): each table point becomes one
 * forward-pass metric, and ordinary least squares with an intercept fits the wall time of a forward pass,
 * prefill {@code wt = a + b tokens}, decode {@code wt = a + b1 requests + b2 kv}. From the fits follow the per-replica
 * request capacity of a prefill engine at an ISL and the largest decode batch within the ITL target. Plain Java.
 */
public final class PlannerRegression {
    /** Fewest points a fit takes (the planner's load_min_observations). */
    public static final int MIN_OBSERVATIONS = 5;
    /** Smallest predicted wall time, seconds. */
    public static final double MIN_WALL_TIME_S = 1e-6;
    /** The planner's batch ceiling when the engine reports none and no observation bounds it. */
    public static final int DEFAULT_MAX_BATCH = 256;

    /** Prefill fit {@code wt(s) = a + b tokens}; {@code ready} false with the reason when the planner rejects it. */
    public record Prefill(double a, double b, int points, boolean ready, String reason) {
        /** Predicted wall time of a pass of {@code tokens}, seconds. */
        public double wallTime(final double tokens) {
            return Math.max(MIN_WALL_TIME_S, a + b * tokens);
        }
    }

    /** Decode fit {@code wt(s) = a + b1 requests + b2 kv}. */
    public record Decode(double a, double b1, double b2, int points, long maxObservedKv, boolean ready,
                         String reason) {
        /** Predicted wall time of a decode step, seconds. */
        public double wallTime(final double requests, final double kv) {
            return Math.max(MIN_WALL_TIME_S, a + b1 * requests + b2 * kv);
        }
    }

    private PlannerRegression() {
    }

    /** Fits the prefill table as the planner does (zero wall times skipped; a negative slope is not ready). */
    public static Prefill prefill(final PrefillTable t) {
        final List<Long> isl = t.getPrefillIsl();
        final List<Double> ttft = t.getPrefillTtft();
        int n = 0;
        double sx = 0;
        double sy = 0;
        double sxx = 0;
        double sxy = 0;
        for (int i = 0; i < isl.size(); i++) {
            final double y = ttft.get(i) / 1000.0;
            if (!(y > 0)) {
                continue;
            }
            final double x = isl.get(i).doubleValue();
            n++;
            sx += x;
            sy += y;
            sxx += x * x;
            sxy += x * y;
        }
        if (n < MIN_OBSERVATIONS) {
            return new Prefill(0, 0, n, false, n + " prefill points; the planner fits from " + MIN_OBSERVATIONS);
        }
        final double den = n * sxx - sx * sx;
        if (den == 0) {
            return new Prefill(0, 0, n, false, "all prefill points at one ISL");
        }
        final double b = (n * sxy - sx * sy) / den;
        final double a = (sy - b * sx) / n;
        return b < 0 ? new Prefill(a, b, n, false, "negative slope: the planner rejects the prefill fit")
            : new Prefill(a, b, n, true, "");
    }

    /**
     * Fits the decode table as the planner does: {@code kv = round(x max_kv)}, {@code requests = max(1,
     * round(kv / ctx))} (half to even), {@code wt = itl / 1000}; a negative {@code b2} is not ready, a negative
     * {@code b1} is clipped to 0 without refitting.
     */
    public static Decode decode(final DecodeTable t) {
        final int m = t.getZItl().size();
        final double[][] xtx = new double[3][3];
        final double[] xty = new double[3];
        int n = 0;
        long maxKv = 0;
        for (int i = 0; i < m; i++) {
            final double y = t.getZItl().get(i) / 1000.0;
            if (!(y > 0)) {
                continue;
            }
            final long kv = Math.round(Math.rint(t.getXKvUsage().get(i) * t.getMaxKvTokens()));
            final double ctx = t.getYContextLength().get(i);
            final double req = ctx <= 0 ? 1 : Math.max(1, Math.rint(kv / ctx));
            maxKv = Math.max(maxKv, kv);
            final double[] row = {1, req, kv};
            for (int r = 0; r < 3; r++) {
                for (int c = 0; c < 3; c++) {
                    xtx[r][c] += row[r] * row[c];
                }
                xty[r] += row[r] * y;
            }
            n++;
        }
        if (n < MIN_OBSERVATIONS) {
            return new Decode(0, 0, 0, n, maxKv, false, n + " decode points; the planner fits from " + MIN_OBSERVATIONS);
        }
        final double[] beta = solve(xtx, xty);
        if (beta == null) {
            return new Decode(0, 0, 0, n, maxKv, false, "the decode points do not determine the fit (collinear)");
        }
        if (beta[2] < 0) {
            return new Decode(beta[0], beta[1], beta[2], n, maxKv, false,
                "negative KV coefficient: the planner rejects the decode fit");
        }
        return new Decode(beta[0], Math.max(0, beta[1]), beta[2], n, maxKv, true, "");
    }

    /** Solves the 3x3 normal equations by Gaussian elimination with partial pivoting; null when singular. */
    private static double[] solve(final double[][] a0, final double[] b0) {
        final double[][] a = {a0[0].clone(), a0[1].clone(), a0[2].clone()};
        final double[] b = b0.clone();
        for (int col = 0; col < 3; col++) {
            int piv = col;
            for (int r = col + 1; r < 3; r++) {
                if (Math.abs(a[r][col]) > Math.abs(a[piv][col])) {
                    piv = r;
                }
            }
            if (Math.abs(a[piv][col]) < 1e-12 * Math.max(1, Math.abs(a[0][0]))) {
                return null;
            }
            final double[] tr = a[col];
            a[col] = a[piv];
            a[piv] = tr;
            final double tb = b[col];
            b[col] = b[piv];
            b[piv] = tb;
            for (int r = col + 1; r < 3; r++) {
                final double f = a[r][col] / a[col][col];
                for (int c = col; c < 3; c++) {
                    a[r][c] -= f * a[col][c];
                }
                b[r] -= f * b[col];
            }
        }
        final double[] x = new double[3];
        for (int r = 2; r >= 0; r--) {
            double s = b[r];
            for (int c = r + 1; c < 3; c++) {
                s -= a[r][c] * x[c];
            }
            x[r] = s / a[r][r];
        }
        return x;
    }

    /** A prefill engine's capacity at an ISL: requests/s and the TTFT of one pass (ms). */
    public record PrefillCapacity(double requestsPerS, double ttftMs) {
    }

    /** Prefill capacity at {@code isl} tokens (no prefix hits, one pass). */
    public static PrefillCapacity prefillCapacity(final Prefill fit, final double isl) {
        final double wt = fit.wallTime(isl);
        return new PrefillCapacity(1 / wt, 1000 * wt);
    }

    /** The best decode batch within an ITL target: batch, its ITL (ms), and requests/s of one engine. */
    public record DecodeCapacity(int batch, double itlMs, double requestsPerS, int maxBatch) {
    }

    /**
     * The largest batch {@code b in [1, max_batch]} with {@code 1000 wt(b, b ctx) <= itl} (b = 1 if none), by binary
     * search as the planner does, with {@code ctx = isl + osl / 2}; {@code max_batch = floor(max_kv / ctx)}, else
     * {@code floor(max observed kv / ctx)}, else 256.
     */
    public static DecodeCapacity decodeCapacity(final Decode fit, final double isl, final double osl,
                                                final double itlMs, final long engineMaxKv) {
        final double ctx = isl + osl / 2;
        int maxBatch = engineMaxKv > 0 ? (int) Math.floor(engineMaxKv / ctx)
            : fit.maxObservedKv() > 0 ? (int) Math.floor(fit.maxObservedKv() / ctx) : DEFAULT_MAX_BATCH;
        maxBatch = Math.max(1, maxBatch);
        int lo = 1;
        int hi = maxBatch;
        int best = 1;
        while (lo <= hi) {
            final int mid = (lo + hi) >>> 1;
            if (1000 * fit.wallTime(mid, mid * ctx) <= itlMs) {
                best = mid;
                lo = mid + 1;
            } else {
                hi = mid - 1;
            }
        }
        final double wt = fit.wallTime(best, best * ctx);
        return new DecodeCapacity(best, 1000 * wt, best / (osl * wt), maxBatch);
    }
}
