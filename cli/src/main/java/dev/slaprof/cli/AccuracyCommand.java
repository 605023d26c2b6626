package dev.slaprof.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.slaprof.accuracy.Accuracy;
import dev.slaprof.accuracy.AccuracyReport;
import dev.slaprof.accuracy.AicRows;
import dev.slaprof.accuracy.RowReplay;
import dev.slaprof.accuracy.SiliconCsv;
import dev.slaprof.accuracy.SiliconRow;
import dev.slaprof.simulator.Catalog;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code slaprof accuracy}: replays measured rows (AI Configurator's silicon format) in the virtual fleet and prints
 * the error per group, beside AI Configurator's own estimate of the same rows with {@code --aic}.
 */
@Command(name = "accuracy", mixinStandardHelpOptions = true, showDefaultValues = true,
    description = "Replay measured rows (AIC's silicon CSV format; default: the silicon_sample.csv of the installed "
        + "aiconfigurator-core) and print TTFT/TPOT errors per model, system, backend, precision and mode.")
final class AccuracyCommand implements Callable<Integer> {
    @Mixin
    private MeasuredRowsOptions input;
    @Option(names = "--aic", description = "Also ask AI Configurator for its estimate of every row slaprof replays "
        + "(cached per row id and AIC version).")
    private boolean aic;
    @Option(names = "--aic-cache", defaultValue = "target/aic-cache/aic-rows.jsonl", description = "AIC answers cache.")
    private Path aicCache;
    @Option(names = "--aic-table", paramLabel = "FILE", description = "AI Configurator's answers from a table written "
        + "by --aic-export (e.g. docs/accuracy-aic-0.12.0.json) instead of running AIC.")
    private Path aicTable;
    @Option(names = "--aic-export", paramLabel = "FILE", description = "With --aic: write AIC's answers for the rows "
        + "as a table.")
    private Path aicExport;
    @Option(names = "--per-group", defaultValue = "0", description = "Replay only the first N rows of each group "
        + "(a stratified subset; 0 = every row).")
    private int perGroup;
    @Option(names = "--waves", defaultValue = "4", description = "Requests per client each replay completes.")
    private int waves;
    @Option(names = "--json", paramLabel = "FILE", description = "Write groups, rows and skipped reasons as JSON.")
    private Path json;

    @Override
    public Integer call() throws Exception {
        final PrintStream out = System.out;
        final MeasuredRowsOptions.Read in = input.read();
        final List<SiliconRow> rows = in.rows();
        final List<SiliconCsv.Problem> problems = in.problems();
        final int total = in.total();
        final List<SiliconRow> chosen = perGroup > 0 ? SiliconRow.firstOfEach(rows, perGroup, SiliconRow::group) : rows;
        out.printf("accuracy: %d rows read from %s%s%n", total, in.files(), perGroup > 0 ? ", replaying " + chosen.size()
            + " (the first " + perGroup + " of each group)" : "");
        final Catalog catalog = input.catalog();
        final long t0 = System.nanoTime();
        final List<RowReplay.Estimate> estimates = Accuracy.replay(chosen, catalog, waves, catalog::params);
        final double seconds = (System.nanoTime() - t0) / 1e9;
        final Map<String, AicRows.Answer> answers;
        if (aicTable != null) {
            answers = AicRows.table(aicTable);
        } else if (aic) {
            // AIC is asked for the rows slaprof replayed: the comparison is on the same rows.
            final List<SiliconRow> replayed = estimates.stream().filter(RowReplay.Estimate::replayed)
                .map(RowReplay.Estimate::row).toList();
            final String version = AicRows.version(input.peersPython.resolve());
            answers = AicRows.estimate(input.peersPython.resolve(), version, replayed, aicCache, out);
            if (aicExport != null) {
                AicRows.export(aicExport, version, "slaprof accuracy --aic --aic-export "
                    + aicExport + (perGroup > 0 ? " --per-group " + perGroup : ""), answers);
                out.println("accuracy: wrote AI Configurator's table " + aicExport);
            }
        } else {
            answers = Map.of();
        }
        final AccuracyReport report = new AccuracyReport(estimates, problems, answers, seconds);
        report.print(out, perGroup > 0 ? chosen.size() + problems.size() : total);
        if (json != null) {
            if (json.toAbsolutePath().getParent() != null) {
                Files.createDirectories(json.toAbsolutePath().getParent());
            }
            Files.writeString(json, new ObjectMapper().writerWithDefaultPrettyPrinter().writeValueAsString(report.json()));
            out.println("accuracy: wrote " + json);
        }
        return 0;
    }
}
