package dev.slaprof.cli;

import dev.slaprof.accuracy.MeasuredCalibration;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code slaprof calibrate}: fits config/perf-model.yaml's constants per backend to measured rows and, with
 * {@code --logo}, reports the leave-one-group-out error ({@link MeasuredCalibration}). Writes the fitted file beside the
 * report; it never overwrites the bundled one.
 */
@Command(name = "calibrate", mixinStandardHelpOptions = true, showDefaultValues = true,
    description = "Fit the performance model per backend to measured rows (AIC's silicon CSV format) and report the "
        + "leave-one-(model, system)-group-out error.")
final class CalibrateMeasuredCommand implements Callable<Integer> {
    @Mixin
    private MeasuredRowsOptions input;
    @Option(names = "--logo", description = "Also fit once per held-out (model, system) group and report the error "
        + "of each group under the fit that never saw it.")
    private boolean logo;
    @Option(names = "--max-eval", defaultValue = "30", description = "Loss evaluations per fit at most (raise it with "
        + "more --free constants: a simplex needs a few dozen per constant).")
    private int maxEval;
    @Option(names = "--per-group", defaultValue = "1", description = "Training rows per (group, ISL, OSL) at most.")
    private int perGroup;
    @Option(names = "--free", split = ",", defaultValue = "request_overhead_ms", description = "The constants the fit "
        + "moves (of config/perf-model.yaml's fitted ones); the others keep their values in --catalog-dir. The default is "
        + "the bundled fit's: fitting more lowered the error on the rows fitted but raised it on held-out groups "
        + "(docs/CALIBRATION.md).")
    private List<String> freeNames;
    @Option(names = "--pooled", split = ",", paramLabel = "NAMES", description = "Constants fitted once over the rows "
        + "of every backend and GPU generation and shared by all, before the per-unit --free fit (e.g. "
        + "bandwidth_efficiency,layer_overhead_us); with --logo they too are fitted without each held-out group.")
    private List<String> pooledNames = List.of();
    @Option(names = "--pooled-max-eval", defaultValue = "90", description = "Loss evaluations of a pooled fit at most.")
    private int pooledMaxEval;
    @Option(names = "--train-waves", defaultValue = "2", description = "Requests per client in a training replay.")
    private int trainWaves;
    @Option(names = "--waves", defaultValue = "4", description = "Requests per client in a held-out replay.")
    private int waves;
    @Option(names = "--write", defaultValue = "target/perf-model.fitted.yaml", description = "The fitted file (copy "
        + "it over config/perf-model.yaml to adopt it).")
    private Path fittedFile;
    @Option(names = "--aic-table", paramLabel = "FILE", description = "With --logo: AI Configurator's answers (a table "
        + "written by accuracy --aic-export, e.g. docs/accuracy-aic-0.12.0.json), put beside the held-out estimates.")
    private Path aicTable;
    @Option(names = "--logo-json", defaultValue = "target/calibration-logo.json", description = "With --logo: every "
        + "held-out row's estimate, and the groups' errors beside AIC's, in accuracy's JSON format.")
    private Path logoJson;
    @Option(names = "--json", defaultValue = "target/calibration-measured.json", description = "Folds and fits as "
        + "JSON.")
    private Path json;

    @Override
    public Integer call() throws Exception {
        new MeasuredCalibration(input.catalog(), maxEval, perGroup, trainWaves, waves, freeNames, pooledNames,
            pooledMaxEval).run(input.read(), logo,
            new MeasuredCalibration.Outputs(fittedFile, json, logoJson, aicTable), System.out);
        return 0;
    }
}
