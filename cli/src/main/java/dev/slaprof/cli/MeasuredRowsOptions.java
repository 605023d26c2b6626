package dev.slaprof.cli;

import dev.slaprof.accuracy.AicRows;
import dev.slaprof.accuracy.SiliconCsv;
import dev.slaprof.accuracy.SiliconRow;
import dev.slaprof.simulator.Catalog;
import dev.slaprof.simulator.arch.ModelIndex;
import java.io.IOException;
import java.nio.file.Files;
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

    /** What the CSVs held: the rows, the rows refused while reading, the files and their row count. */
    record Read(List<SiliconRow> rows, List<SiliconCsv.Problem> problems, List<Path> files, int total) {
    }

    Read read() throws IOException, InterruptedException {
        final List<Path> files = measured.isEmpty() ? List.of(AicRows.bundledSample(peersPython.resolve())) : measured;
        final List<SiliconRow> rows = new ArrayList<>();
        final List<SiliconCsv.Problem> problems = new ArrayList<>();
        int total = 0;
        for (final Path f : files) {
            if (!Files.isRegularFile(f)) {
                throw new IllegalArgumentException("--measured " + f + ": no such file");
            }
            final SiliconCsv.Parsed p = SiliconCsv.read(f);
            rows.addAll(p.rows());
            problems.addAll(p.problems());
            total += p.rows().size() + p.problems().size();
        }
        return new Read(rows, problems, files, total);
    }

    /** The catalog of --catalog-dir (else the bundled one) with the models of --models-dir when given. */
    Catalog catalog() {
        final Catalog base = catalogDir == null ? Catalog.bundled() : Catalog.load(catalogDir);
        return modelsDir == null ? base : base.withModels(ModelIndex.of(modelsDir));
    }
}
