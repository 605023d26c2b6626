package dev.slaprof.producer;

import java.util.function.Consumer;

/**
 * Incremental server-sent-events parser: feed it text as it arrives (events may be split across reads or several
 * may share one read); it emits one {@link Event} per blank-line-terminated event. Lines starting with ':' are
 * comments (Dynamo carries error messages in them after {@code event: error}).
 */
public final class SseParser {
    /** One event: its type ("message" by default), data lines joined by '\n', and comment text. */
    public record Event(String type, String data, String comment) {
    }

    private final Consumer<Event> sink;
    private final StringBuilder line = new StringBuilder();
    private final StringBuilder data = new StringBuilder();
    private final StringBuilder comment = new StringBuilder();
    private String type = "message";
    private boolean hasField;
    private boolean lastWasCr;

    public SseParser(final Consumer<Event> sink) {
        this.sink = sink;
    }

    /** Feeds characters. */
    public void feed(final CharSequence chunk) {
        for (int i = 0; i < chunk.length(); i++) {
            final char c = chunk.charAt(i);
            if (c == '\n' && lastWasCr) {
                lastWasCr = false;
                continue;
            }
            lastWasCr = c == '\r';
            if (c == '\n' || c == '\r') {
                endLine();
            } else {
                line.append(c);
            }
        }
    }

    /** Flushes a final event not followed by a blank line (a stream cut short). */
    public void finish() {
        if (line.length() > 0) {
            endLine();
        }
        dispatch();
    }

    private void endLine() {
        if (line.length() == 0) {
            dispatch();
            return;
        }
        final String l = line.toString();
        line.setLength(0);
        if (l.startsWith(":")) {
            appendLine(comment, l.substring(1).trim());
            hasField = true;
            return;
        }
        final int colon = l.indexOf(':');
        final String field = colon < 0 ? l : l.substring(0, colon);
        String value = colon < 0 ? "" : l.substring(colon + 1);
        if (value.startsWith(" ")) {
            value = value.substring(1);
        }
        if (field.equals("data")) {
            appendLine(data, value);
            hasField = true;
        } else if (field.equals("event")) {
            type = value;
            hasField = true;
        }
    }

    private static void appendLine(final StringBuilder sb, final String v) {
        if (sb.length() > 0) {
            sb.append('\n');
        }
        sb.append(v);
    }

    private void dispatch() {
        if (hasField) {
            sink.accept(new Event(type, data.toString(), comment.toString()));
        }
        data.setLength(0);
        comment.setLength(0);
        type = "message";
        hasField = false;
    }
}
