package dev.slaprof.producer;

import dev.slaprof.schema.Mappings;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A {@code MAPPING=VALUE} option value such as {@code TP=2=decode-0.log} or {@code TP=2:decode-0.log}: the mapping
 * label keeps its own '=', the value follows the next '=' or ':'.
 *
 * @param mapping the mapping's label, e.g. TP=2
 * @param value   the rest, e.g. a file or a token count
 */
public record MappingValue(String mapping, String value) {
    private static final Pattern FORM = Pattern.compile("^((?:TEP|DEP|TP)=?\\d+)[=:](.+)$", Pattern.CASE_INSENSITIVE);

    /** Splits {@code text}, the value of {@code option}; an error naming both when it has no mapping. */
    public static MappingValue parse(final String option, final String text) {
        final Matcher m = FORM.matcher(text.trim());
        if (!m.matches()) {
            throw new IllegalArgumentException(option + " " + text + ": expected MAPPING=VALUE or MAPPING:VALUE, e.g. "
                + "TP=2=decode-0.log or TP=2:426915");
        }
        return new MappingValue(Mappings.label(Mappings.parse(m.group(1))), m.group(2));
    }

    /** The value as a positive token count. */
    public long tokens(final String option) {
        try {
            final long n = Long.parseLong(value.trim());
            if (n <= 0) {
                throw new IllegalArgumentException(option + " " + mapping + "=" + value + ": must be > 0 tokens");
            }
            return n;
        } catch (final NumberFormatException e) {
            throw new IllegalArgumentException(option + " " + mapping + "=" + value + ": '" + value
                + "' is not a whole number of tokens");
        }
    }
}
