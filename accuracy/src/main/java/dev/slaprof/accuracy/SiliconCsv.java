package dev.slaprof.accuracy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads CSVs in AI Configurator's silicon format. A row that cannot be read is refused with its line, its column and
 * the reason (a missing column, an unparsable or negative number) and the other rows go on; nothing is dropped
 * silently.
 */
public final class SiliconCsv {
    /** Columns every row needs. */
    static final List<String> REQUIRED = List.of("id", "silicon_data_source", "backend", "model_path", "system",
        "precision", "mode", "isl", "osl", "silicon_ttft_ms", "silicon_tpot_ms");
    private static final Pattern CONCURRENCY = Pattern.compile("silicon_concurrency=(\\d+)");

    /**
     * A row refused while reading.
     *
     * @param file   the CSV
     * @param line   its line (1 = header)
     * @param column the column at fault, or empty for the whole line
     * @param reason why
     */
    public record Problem(String file, int line, String column, String reason) {
        @Override
        public String toString() {
            return file + ":" + line + (column.isEmpty() ? "" : " column " + column) + ": " + reason;
        }
    }

    /** The rows read and the rows refused. */
    public record Parsed(List<SiliconRow> rows, List<Problem> problems) {
    }

    private SiliconCsv() {
    }

    public static Parsed read(final Path file) throws IOException {
        return parse(file.toString(), Files.readString(file, StandardCharsets.UTF_8));
    }

    static Parsed parse(final String name, final String text) {
        final List<SiliconRow> rows = new ArrayList<>();
        final List<Problem> problems = new ArrayList<>();
        final List<List<String>> records = new ArrayList<>();
        final List<Integer> lines = new ArrayList<>();
        split(text, records, lines);
        if (records.isEmpty()) {
            problems.add(new Problem(name, 1, "", "empty file: no header"));
            return new Parsed(rows, problems);
        }
        final List<String> header = records.get(0);
        final Map<String, Integer> col = new HashMap<>();
        for (int i = 0; i < header.size(); i++) {
            col.put(header.get(i).trim(), i);
        }
        final List<String> missing = REQUIRED.stream().filter(c -> !col.containsKey(c)).toList();
        for (int r = 1; r < records.size(); r++) {
            final List<String> rec = records.get(r);
            final int line = lines.get(r);
            if (rec.size() == 1 && rec.get(0).isBlank()) {
                continue;
            }
            if (!missing.isEmpty()) {
                problems.add(new Problem(name, line, String.join(", ", missing), "missing column"));
                continue;
            }
            if (rec.size() != header.size()) {
                problems.add(new Problem(name, line, "", rec.size() + " fields, the header has " + header.size()));
                continue;
            }
            try {
                rows.add(row(line, rec, col, header));
            } catch (final BadField e) {
                problems.add(new Problem(name, line, e.column, e.getMessage()));
            }
        }
        return new Parsed(rows, problems);
    }

    private static final class BadField extends Exception {
        private final String column;

        BadField(final String column, final String message) {
            super(message);
            this.column = column;
        }
    }

    private static SiliconRow row(final int line, final List<String> rec, final Map<String, Integer> col,
                                  final List<String> header) throws BadField {
        final String mode = text(rec, col, "mode").toLowerCase(Locale.ROOT);
        if (!mode.equals("agg") && !mode.equals("disagg")) {
            throw new BadField("mode", "'" + mode + "' is neither agg nor disagg");
        }
        final String source = text(rec, col, "silicon_data_source");
        final Matcher m = CONCURRENCY.matcher(source);
        final boolean disagg = mode.equals("disagg");
        SiliconRow.Workers agg = null;
        SiliconRow.Workers prefill = null;
        SiliconRow.Workers decode = null;
        if (disagg) {
            prefill = workers(rec, col, "prefill_");
            decode = workers(rec, col, "decode_");
        } else {
            agg = workers(rec, col, "");
        }
        final int concurrency;
        if (m.find()) {
            concurrency = Integer.parseInt(m.group(1));
        } else if (agg != null) {
            concurrency = agg.batch();
        } else {
            throw new BadField("silicon_data_source", "no silicon_concurrency=N and a disagg row has no other "
                + "concurrency");
        }
        if (concurrency < 1) {
            throw new BadField("silicon_data_source", "concurrency " + concurrency + " is not positive");
        }
        return new SiliconRow(line, text(rec, col, "id"), source, text(rec, col, "backend").toLowerCase(Locale.ROOT),
            opt(rec, col, "backend_version"), text(rec, col, "model_path"), text(rec, col, "system"),
            opt(rec, col, "precision").toLowerCase(Locale.ROOT), mode, positive(rec, col, "isl"),
            positive(rec, col, "osl"), opt(rec, col, "gemm_quant_mode"), opt(rec, col, "moe_quant_mode"), concurrency,
            agg, prefill, decode, latency(rec, col, "silicon_ttft_ms"), latency(rec, col, "silicon_tpot_ms"),
            columns(header, rec));
    }

    private static Map<String, String> columns(final List<String> header, final List<String> rec) {
        final Map<String, String> m = new LinkedHashMap<>();
        for (int i = 0; i < header.size(); i++) {
            m.put(header.get(i).trim(), rec.get(i));
        }
        return m;
    }

    private static SiliconRow.Workers workers(final List<String> rec, final Map<String, Integer> col,
                                              final String prefix) throws BadField {
        // Many disagg rows leave the worker counts and batch sizes empty: 0 says unknown, and the replay says why it
        // cannot run such a row.
        final int count = prefix.isEmpty() ? 1 : orZero(rec, col, prefix + "num_workers");
        final int batch = prefix.isEmpty() ? positive(rec, col, "batch_size") : orZero(rec, col, prefix + "batch_size");
        return new SiliconRow.Workers(count, batch,
            positive(rec, col, prefix + "tp_size"), positive(rec, col, prefix + "pp_size"),
            orOne(rec, col, prefix + "attention_dp_size"), orOne(rec, col, prefix + "moe_tp_size"),
            orOne(rec, col, prefix + "moe_ep_size"));
    }

    private static String opt(final List<String> rec, final Map<String, Integer> col, final String c) {
        final Integer i = col.get(c);
        return i == null ? "" : rec.get(i).trim();
    }

    private static String text(final List<String> rec, final Map<String, Integer> col, final String c)
        throws BadField {
        final Integer i = col.get(c);
        if (i == null) {
            throw new BadField(c, "missing column");
        }
        final String v = rec.get(i).trim();
        if (v.isEmpty() && !c.equals("precision")) {
            throw new BadField(c, "empty");
        }
        return v;
    }

    private static int positive(final List<String> rec, final Map<String, Integer> col, final String c)
        throws BadField {
        final String v = text(rec, col, c);
        try {
            final int n = (int) Double.parseDouble(v);
            if (n < 1) {
                throw new BadField(c, "'" + v + "' is not a positive count");
            }
            return n;
        } catch (final NumberFormatException e) {
            throw new BadField(c, "'" + v + "' is not a number");
        }
    }

    private static int orZero(final List<String> rec, final Map<String, Integer> col, final String c)
        throws BadField {
        return opt(rec, col, c).isEmpty() ? 0 : positive(rec, col, c);
    }

    private static int orOne(final List<String> rec, final Map<String, Integer> col, final String c)
        throws BadField {
        final String v = opt(rec, col, c);
        if (v.isEmpty() || v.equals("0")) {
            return 1;
        }
        return positive(rec, col, c);
    }

    private static double latency(final List<String> rec, final Map<String, Integer> col, final String c)
        throws BadField {
        final String v = text(rec, col, c);
        final double d;
        try {
            d = Double.parseDouble(v);
        } catch (final NumberFormatException e) {
            throw new BadField(c, "'" + v + "' is not a number");
        }
        if (!(d > 0) || Double.isInfinite(d)) {
            throw new BadField(c, (d < 0 ? "negative latency " : "latency not positive and finite: ") + v);
        }
        return d;
    }

    /** RFC 4180 records: commas, double quotes around fields, doubled quotes inside them, newlines in quotes. */
    static void split(final String text, final List<List<String>> records, final List<Integer> lines) {
        List<String> rec = new ArrayList<>();
        final StringBuilder field = new StringBuilder();
        boolean quoted = false;
        int line = 1;
        int start = 1;
        for (int i = 0; i < text.length(); i++) {
            final char ch = text.charAt(i);
            if (quoted) {
                if (ch == '"' && i + 1 < text.length() && text.charAt(i + 1) == '"') {
                    field.append('"');
                    i++;
                } else if (ch == '"') {
                    quoted = false;
                } else {
                    if (ch == '\n') {
                        line++;
                    }
                    field.append(ch);
                }
            } else if (ch == '"' && field.isEmpty()) {
                quoted = true;
            } else if (ch == ',') {
                rec.add(field.toString());
                field.setLength(0);
            } else if (ch == '\n' || ch == '\r') {
                if (ch == '\r' && i + 1 < text.length() && text.charAt(i + 1) == '\n') {
                    i++;
                }
                rec.add(field.toString());
                field.setLength(0);
                records.add(rec);
                lines.add(start);
                rec = new ArrayList<>();
                line++;
                start = line;
            } else {
                field.append(ch);
            }
        }
        if (!field.isEmpty() || !rec.isEmpty()) {
            rec.add(field.toString());
            records.add(rec);
            lines.add(start);
        }
    }
}
