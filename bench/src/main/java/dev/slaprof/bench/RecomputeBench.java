package dev.slaprof.bench;

import dev.slaprof.domain.recommend.Recommender;
import dev.slaprof.schema.Mappings;
import dev.slaprof.schema.SlaTargets;
import dev.slaprof.schema.avro.MappingLoadStats;
import dev.slaprof.schema.avro.Recommendation;
import dev.slaprof.schema.avro.SlaTarget;
import dev.slaprof.schema.avro.Statistic;
import dev.slaprof.sink.PlannerView;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * One full recomputation: the recommendation over 8 mappings (17 prefill ISL points and 36 decode points each,
 * 424 buckets), its tables, and both planner grids (the prefill splines and the 100 x 100 decode ITL and
 * throughput grids of the selected mappings).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = "-Dorg.apache.avro.SERIALIZABLE_PACKAGES=dev.slaprof")
public class RecomputeBench {
    private List<MappingLoadStats> stats;
    private SlaTarget sla;
    private Map<String, Long> capacities;

    @Setup
    public void setup() {
        stats = Fixtures.fullProfile(20);
        sla = SlaTargets.of("default", 200.0, 30.0, 3000, 500, Statistic.MEAN, 1, 8, 1, false);
        capacities = new HashMap<>();
        for (final MappingLoadStats s : stats) {
            capacities.put(Mappings.label(s.getMapping()), 4_000_000L);
        }
    }

    @Benchmark
    public Object recommendWithGrids() {
        final Recommendation r = Recommender.recommend(Fixtures.DEPLOYMENT, sla, stats, capacities, null, 0);
        final PlannerView v = new PlannerView(r);
        return new Object[] {r, v.prefill(), v.decode()};
    }

    @Benchmark
    public Recommendation recommendOnly() {
        return Recommender.recommend(Fixtures.DEPLOYMENT, sla, stats, capacities, null, 0);
    }
}
