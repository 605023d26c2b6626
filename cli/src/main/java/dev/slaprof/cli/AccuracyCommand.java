package dev.slaprof.cli;

import dev.slaprof.accuracy.AccuracyBench;
import dev.slaprof.accuracy.AccuracyBench.AicAnswers;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code slaprof accuracy}: replays measured rows (AI Configurator's silicon format) in the virtual fleet and prints
 * the error per group, beside AI Configurator's own estimate of the same rows with {@code --aic}
 * ({@link AccuracyBench}).
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
        final AicAnswers answers = aicTable != null ? AicAnswers.table(aicTable) : !aic ? AicAnswers.none()
            : AicAnswers.asking(input.peersPython.resolve(), aicCache, aicExport, "slaprof accuracy --aic "
                + "--aic-export " + aicExport + (perGroup > 0 ? " --per-group " + perGroup : ""), System.out);
        new AccuracyBench(input.catalog(), perGroup, waves).run(input.read(), answers, json, System.out);
        return 0;
    }
}
