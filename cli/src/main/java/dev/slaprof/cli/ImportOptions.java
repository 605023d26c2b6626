package dev.slaprof.cli;

import dev.slaprof.producer.DynamoResultsImporter;
import dev.slaprof.schema.Mappings;
import dev.slaprof.schema.avro.Mapping;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** An existing Dynamo profiling results directory to analyse instead of profiling, and the mappings it holds. */
final class ImportOptions {
    @Option(names = "--import-dynamo-results", paramLabel = "DIR",
        description = "Analyse an existing Dynamo profile_sla results directory instead of simulating.")
    Path importDir;
    @Option(names = "--prefill-mapping", description = "Mapping of selected_prefill_interpolation/ when importing, "
        + "e.g. TP=1.")
    String prefillMapping;
    @Option(names = "--decode-mapping", description = "Mapping of selected_decode_interpolation/ when importing.")
    String decodeMapping;

    Mapping prefill() {
        return prefillMapping == null ? null : Mappings.parse(prefillMapping);
    }

    Mapping decode() {
        return decodeMapping == null ? null : Mappings.parse(decodeMapping);
    }

    /** Imported results hold at their own sweep's lengths: the ISL and OSL not given come from them. */
    void defaultLengths(final SlaOptions sla) throws IOException {
        if (importDir != null && Files.isDirectory(importDir) && (sla.isl == null || sla.osl == null)) {
            DynamoResultsImporter.sweepLoad(importDir).ifPresent(l -> {
                sla.isl = sla.isl != null ? sla.isl : l[0];
                sla.osl = sla.osl != null ? sla.osl : l[1];
            });
        }
    }
}
