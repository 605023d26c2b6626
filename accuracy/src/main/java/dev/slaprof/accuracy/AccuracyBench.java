package dev.slaprof.accuracy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.slaprof.simulator.Catalog;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * {@code slaprof accuracy}'s work: replays measured rows in the virtual fleet, puts AI Configurator's answers for the
 * rows it replayed beside them, prints the per-group errors and, when asked, writes them as JSON.
 *
 * @param catalog  the models, GPUs and fitted constants replayed with
 * @param perGroup replay only the first N rows of each group (a stratified subset; 0 = every row)
 * @param waves    requests per client each replay completes
 */
public record AccuracyBench(Catalog catalog, int perGroup, int waves) {
    /** Where AI Configurator's answers come from, given the rows slaprof replayed (so both are on the same rows). */
    @FunctionalInterface
    public interface AicAnswers {
        Map<String, AicRows.Answer> of(List<SiliconRow> replayed) throws IOException, InterruptedException;

        /** No AIC column. */
        static AicAnswers none() {
            return rows -> Map.of();
        }

        /** A table written by {@link #asking}'s export (e.g. docs/accuracy-aic-0.12.0.json). */
        static AicAnswers table(final Path file) {
            return rows -> AicRows.table(file);
        }

        /**
         * The installed AIC asked for each row its cache lacks; with {@code export}, its answers also written as a
         * table made by {@code command}.
         */
        static AicAnswers asking(final Path python, final Path cache, final Path export, final String command,
                                 final PrintStream out) {
            return rows -> {
                final String version = AicRows.version(python);
                final Map<String, AicRows.Answer> answers = AicRows.estimate(python, version, rows, cache, out);
                if (export != null) {
                    AicRows.export(export, version, command, answers);
                    out.println("accuracy: wrote AI Configurator's table " + export);
                }
                return answers;
            };
        }
    }

    /** Replays {@code in}'s rows (or the subset), prints the report to {@code out}, writes {@code json} if not null. */
    public AccuracyReport run(final MeasuredRows in, final AicAnswers aic, final Path json, final PrintStream out)
        throws IOException, InterruptedException {
        final List<SiliconRow> chosen = perGroup > 0 ? SiliconRow.firstOfEach(in.rows(), perGroup, SiliconRow::group)
            : in.rows();
        out.printf("accuracy: %d rows read from %s%s%n", in.total(), in.files(), perGroup > 0 ? ", replaying "
            + chosen.size() + " (the first " + perGroup + " of each group)" : "");
        final long t0 = System.nanoTime();
        final List<RowReplay.Estimate> estimates = Accuracy.replay(chosen, catalog, waves, catalog::params);
        final double seconds = (System.nanoTime() - t0) / 1e9;
        final Map<String, AicRows.Answer> answers = aic.of(estimates.stream().filter(RowReplay.Estimate::replayed)
            .map(RowReplay.Estimate::row).toList());
        final AccuracyReport report = new AccuracyReport(estimates, in.problems(), answers, seconds);
        report.print(out, perGroup > 0 ? chosen.size() + in.problems().size() : in.total());
        if (json != null) {
            writeJson(json, report.json());
            out.println("accuracy: wrote " + json);
        }
        return report;
    }

    /** Writes {@code doc} to {@code file}, pretty-printed, creating its folder. */
    static void writeJson(final Path file, final JsonNode doc) throws IOException {
        write(file, new ObjectMapper().writerWithDefaultPrettyPrinter().writeValueAsString(doc));
    }

    /** Writes {@code text} to {@code file}, creating its folder. */
    static void write(final Path file, final String text) throws IOException {
        if (file.toAbsolutePath().getParent() != null) {
            Files.createDirectories(file.toAbsolutePath().getParent());
        }
        Files.writeString(file, text);
    }
}
