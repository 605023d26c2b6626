package dev.slaprof.cli;

import dev.slaprof.accuracy.AicRows;
import dev.slaprof.accuracy.MeasuredRows;
import dev.slaprof.simulator.Catalog;
import dev.slaprof.simulator.arch.ModelIndex;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** The measured rows of {@code accuracy} and {@code calibrate}: the CSVs, the models and catalog they are read with. */
final class MeasuredRowsOptions {
    @Option(names = "--measured", paramLabel = "FILE", description = "Silicon-format CSVs (default: the installed "
        + "AIC's silicon_sample.csv).")
    private List<Path> measured = new ArrayList<>();
    @Option(names = "--models-dir", paramLabel = "DIR", description = "Folder of model configs (<org>/<name>/config.json"
        + " or a models.yaml); default: the bundled config/models.")
    private Path modelsDir;
    @Option(names = "--catalog-dir", paramLabel = "DIR", description = "Folder with gpus.yaml / perf-model.yaml to use "
        + "instead of the bundled ones (e.g. the output of calibrate).")
    private Path catalogDir;
    @Mixin
    PeersPythonOption peersPython;

    /** The rows of --measured, else of the installed AIC's sample. */
    MeasuredRows read() throws IOException, InterruptedException {
        return MeasuredRows.read(measured.isEmpty() ? List.of(AicRows.bundledSample(peersPython.resolve())) : measured,
            "--measured");
    }

    /** The catalog of --catalog-dir (else the bundled one) with the models of --models-dir when given. */
    Catalog catalog() {
        final Catalog base = catalogDir == null ? Catalog.bundled() : Catalog.load(catalogDir);
        return modelsDir == null ? base : base.withModels(ModelIndex.of(modelsDir));
    }
}
