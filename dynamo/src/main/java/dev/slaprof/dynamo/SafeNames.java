package dev.slaprof.dynamo;

import dev.slaprof.schema.avro.Deployment;
import java.util.Locale;

/** File-system-safe names from producer-supplied strings (no '..', separators, control characters). */
public final class SafeNames {
    private SafeNames() {
    }

    /** {@code Qwen/Qwen3-32B} gives {@code Qwen_Qwen3-32B}; empty or dot-only names become {@code _}. */
    public static String segment(final String raw) {
        final StringBuilder sb = new StringBuilder();
        for (final char c : raw.toCharArray()) {
            sb.append(Character.isLetterOrDigit(c) || c == '-' || c == '.' || c == '_' ? c : '_');
        }
        String s = sb.toString();
        if (s.isEmpty() || s.chars().allMatch(ch -> ch == '.')) {
            s = "_";
        }
        if (s.startsWith(".")) {
            s = "_" + s.substring(1);
        }
        return s.length() > 100 ? s.substring(0, 100) : s;
    }

    /** Folder of a deployment: model, backend, GPU and engine version. */
    public static String deployment(final Deployment d) {
        final String base = segment(d.getModel()) + "__" + d.getBackend().name().toLowerCase(Locale.ROOT) + "__"
            + segment(d.getGpuType());
        return d.getEngineVersion().isEmpty() ? base : base + "__" + segment(d.getEngineVersion());
    }
}
