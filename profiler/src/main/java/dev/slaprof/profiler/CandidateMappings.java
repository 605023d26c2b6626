package dev.slaprof.profiler;

import dev.slaprof.producer.SweepPlans;
import dev.slaprof.schema.Mappings;
import dev.slaprof.schema.avro.Mapping;
import dev.slaprof.simulator.ModelSpec;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Collectors;

/** The engine mappings a run sweeps: Dynamo's search space for a model between two engine sizes. */
public final class CandidateMappings {
    private CandidateMappings() {
    }

    /**
     * Every mapping of {@code spec} on {@code minGpus..maxGpus} GPUs per engine (the model facts Dynamo's divisibility
     * checks need and the model lacks are a warning on {@code out}); refused when none fits, or when a GPU budget
     * ({@code totalGpus} &gt; 0) is smaller than the smallest engine.
     */
    public static List<Mapping> of(final ModelSpec spec, final int minGpus, final int maxGpus, final int totalGpus,
                                   final PrintStream out) {
        final List<String> unknown = SweepPlans.unknownFacts(spec.searchedAsMoe(), spec.numKvHeads(),
            spec.numExperts(), spec.intermediateSize());
        if (!unknown.isEmpty()) {
            out.println("slaprof: WARNING " + spec.name() + ": " + String.join(", ", unknown) + " unknown; "
                + "the search space skips the divisibility checks that need them (as Dynamo does)");
        }
        final List<Mapping> found = new ArrayList<>();
        for (final int n : SweepPlans.gpuCounts(minGpus, maxGpus)) {
            found.addAll(SweepPlans.candidates(n, spec.searchedAsMoe(), "Qwen3MoeForCausalLM".equals(spec.architecture()),
                spec.numKvHeads(), spec.numExperts(), spec.intermediateSize(), spec.quantBlockSize()));
        }
        if (found.isEmpty()) {
            throw new IllegalArgumentException("no mapping of " + spec.name() + " fits " + minGpus + ".." + maxGpus
                + " GPUs per engine");
        }
        final Mapping smallest = found.stream().min(Comparator.comparingInt(Mapping::getGpus)).orElseThrow();
        if (totalGpus > 0 && totalGpus < smallest.getGpus()) {
            throw new IllegalArgumentException("--total-gpus (hardware.totalGpus) " + totalGpus + " is smaller than "
                + "the smallest engine (" + Mappings.label(smallest) + ", " + smallest.getGpus() + " GPUs; "
                + "--min-num-gpus-per-engine " + minGpus + ")");
        }
        return found;
    }

    /** The mappings' labels, comma-separated. */
    public static String labels(final List<Mapping> ms) {
        return ms.stream().map(Mappings::label).collect(Collectors.joining(", "));
    }
}
