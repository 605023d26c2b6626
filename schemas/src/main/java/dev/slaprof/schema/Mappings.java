package dev.slaprof.schema;

import dev.slaprof.schema.avro.Mapping;
import dev.slaprof.schema.avro.Role;
import dev.slaprof.schema.avro.Strategy;
import java.util.Locale;

/** Construction and labels of parallelization mappings, as Dynamo names them ({@code TP=4}, {@code DEP=16}). */
public final class Mappings {
    private Mappings() {
    }

    /** Dense tensor parallelism over {@code n} GPUs. */
    public static Mapping tp(final int n) {
        return new Mapping(Strategy.TP, n, n, 1, 1);
    }

    /** Tensor parallel attention with expert parallel MoE over {@code n} GPUs. */
    public static Mapping tep(final int n) {
        return new Mapping(Strategy.TEP, n, n, n, 1);
    }

    /** Data-parallel attention with expert parallel MoE over {@code n} GPUs. */
    public static Mapping dep(final int n) {
        return new Mapping(Strategy.DEP, n, 1, n, n);
    }

    /** Mapping of a strategy and size. */
    public static Mapping of(final Strategy s, final int n) {
        return switch (s) {
            case TP -> tp(n);
            case TEP -> tep(n);
            case DEP -> dep(n);
            default -> throw new IllegalArgumentException("unknown strategy " + s);
        };
    }

    /** Label, e.g. {@code TP=4}. */
    public static String label(final Mapping m) {
        return m.getStrategy() + "=" + m.getGpus();
    }

    /**
     * The name of a planned sweep point, as the worker prints it and the recommendation's warnings name it:
     * {@code prefill TP=1 ISL 3000} or {@code decode TP=2 ISL 3000 x 64 in flight}.
     */
    public static String pointName(final Role role, final Mapping m, final int isl, final int inFlight) {
        return role.name().toLowerCase(Locale.ROOT) + " " + label(m) + " ISL " + isl
            + (role == Role.PREFILL ? "" : " x " + inFlight + " in flight");
    }

    /** Folder tag as Dynamo writes it: label with '=' removed, e.g. {@code TP4}. */
    public static String tag(final Mapping m) {
        return label(m).replace("=", "");
    }

    /** Parses {@code TP=4}, {@code tp4}, {@code DEP16}. */
    public static Mapping parse(final String text) {
        final String t = text.trim().toUpperCase(Locale.ROOT).replace("=", "");
        for (final Strategy s : new Strategy[] {Strategy.TEP, Strategy.DEP, Strategy.TP}) {
            if (t.startsWith(s.name())) {
                try {
                    final int n = Integer.parseInt(t.substring(s.name().length()));
                    if (n < 1) {
                        break;
                    }
                    return of(s, n);
                } catch (final NumberFormatException e) {
                    break;
                }
            }
        }
        throw new IllegalArgumentException("not a mapping: '" + text + "' (expected e.g. TP=4, TEP=8, DEP=16)");
    }

    /** Sweep-order rank of a strategy within one GPU count: TEP, DEP, TP (Dynamo's candidate order). */
    public static int strategyRank(final Strategy s) {
        return switch (s) {
            case TEP -> 0;
            case DEP -> 1;
            case TP -> 2;
            default -> 3;
        };
    }
}
