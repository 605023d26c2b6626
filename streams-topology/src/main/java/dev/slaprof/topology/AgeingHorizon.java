package dev.slaprof.topology;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The age past which the topology forgets a sample, so that a changed engine is re-learned: {@code none}, a number
 * with a unit ({@code 90s}, {@code 30m}, {@code 6h}, {@code 7d}) or an ISO-8601 duration ({@code PT6H}), at least 2 s.
 */
public final class AgeingHorizon {
    private static final Pattern SHORT = Pattern.compile("(\\d+)\\s*(s|m|h|d)");

    private AgeingHorizon() {
    }

    /** The horizon {@code value} names; null for {@code none} or blank (keep samples for ever). */
    public static Duration parse(final String value) {
        final String v = value.trim().toLowerCase(Locale.ROOT);
        if (v.equals("none") || v.isEmpty()) {
            return null;
        }
        final Matcher m = SHORT.matcher(v);
        final Duration d;
        if (m.matches()) {
            final long n = Long.parseLong(m.group(1));
            d = switch (m.group(2)) {
                case "s" -> Duration.ofSeconds(n);
                case "m" -> Duration.ofMinutes(n);
                case "h" -> Duration.ofHours(n);
                default -> Duration.ofDays(n);
            };
        } else {
            try {
                d = Duration.parse(value.trim().toUpperCase(Locale.ROOT));
            } catch (final DateTimeParseException e) {
                throw new IllegalArgumentException("'" + value + "' is not a horizon: use none, 90s, 30m, 6h, 7d or "
                    + "PT6H");
            }
        }
        if (d.toMillis() < 2000) {
            throw new IllegalArgumentException("the horizon must be at least 2 s, got '" + value + "'");
        }
        return d;
    }
}
