package dev.slaprof.accuracy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * What silicon-format CSVs held, read in the order given: the rows, the rows refused while reading (each with its
 * file, line, column and reason), the files, and how many rows they had in all.
 */
public record MeasuredRows(List<SiliconRow> rows, List<SiliconCsv.Problem> problems, List<Path> files, int total) {
    /** Reads every file; a missing one is an error naming {@code option} and the file. */
    public static MeasuredRows read(final List<Path> files, final String option) throws IOException {
        final List<SiliconRow> rows = new ArrayList<>();
        final List<SiliconCsv.Problem> problems = new ArrayList<>();
        int total = 0;
        for (final Path f : files) {
            if (!Files.isRegularFile(f)) {
                throw new IllegalArgumentException(option + " " + f + ": no such file");
            }
            final SiliconCsv.Parsed p = SiliconCsv.read(f);
            rows.addAll(p.rows());
            problems.addAll(p.problems());
            total += p.rows().size() + p.problems().size();
        }
        return new MeasuredRows(List.copyOf(rows), List.copyOf(problems), List.copyOf(files), total);
    }
}
