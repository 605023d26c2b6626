package dev.slaprof.simulator;

import static org.assertj.core.api.Assertions.assertThat;

import dev.slaprof.schema.Mappings;
import dev.slaprof.schema.avro.Mapping;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The performance model's physical rules, over every model x GPU of the catalog and every mapping Dynamo's sweep
 * could try (TP for dense models; TEP, DEP and TP for MoE; 1 to 32 GPUs): prefill TTFT at batch 1 strictly increases
 * with ISL; more GPUs never make its compute slower, so TTFT rises with TP only by what the added all-reduce and
 * all-to-all cost (the rule in docs/CALIBRATION.md); decode ITL never falls as requests are added at a fixed context.
 */
class PhysicalSanityTest {
    private static final int[] GPUS = {1, 2, 4, 8, 16, 32};
    /** Rounding of sums of a few hundred terms in double, ms. */
    private static final double EPS_MS = 1e-9;
    private final Catalog catalog = Catalog.bundled();

    private static List<List<Mapping>> families(final ModelSpec m) {
        final List<List<Mapping>> out = new ArrayList<>();
        final List<Mapping> tp = new ArrayList<>();
        final List<Mapping> tep = new ArrayList<>();
        final List<Mapping> dep = new ArrayList<>();
        for (final int n : GPUS) {
            tp.add(Mappings.tp(n));
            tep.add(Mappings.tep(n));
            dep.add(Mappings.dep(n));
        }
        out.add(tp);
        if (m.isMoe()) {
            out.add(tep);
            out.add(dep);
        }
        return out;
    }

    private List<Integer> isls(final ModelSpec m) {
        final List<Integer> out = new ArrayList<>();
        for (int isl = 1; isl < m.contextLength(); isl = isl < 64 ? isl + 1 : (int) (isl * 1.37)) {
            out.add(isl);
        }
        out.add(m.contextLength());
        return out;
    }

    @Test
    void shouldRaisePrefillTtftStrictlyWithIsl() {
        int checked = 0;
        for (final ModelSpec m : catalog.models().all()) {
            for (final GpuSpec g : catalog.gpus().values()) {
                for (final List<Mapping> family : families(m)) {
                    for (final Mapping map : family) {
                        final PerfModel pm = new PerfModel(m, g, catalog.params(), map);
                        double previous = Double.NEGATIVE_INFINITY;
                        for (final int isl : isls(m)) {
                            final double ttft = pm.prefillMs(isl);
                            assertThat(ttft).as("%s %s %s ISL %d", m.name(), g.name(), Mappings.label(map), isl)
                                .isGreaterThan(previous);
                            previous = ttft;
                            checked++;
                        }
                    }
                }
            }
        }
        assertThat(checked).isGreaterThan(1000);
    }

    @Test
    void shouldRaisePrefillTtftWithTpOnlyByTheCommunicationItAdds() {
        int rises = 0;
        for (final ModelSpec m : catalog.models().all()) {
            for (final GpuSpec g : catalog.gpus().values()) {
                for (final List<Mapping> family : families(m)) {
                    for (final int isl : isls(m)) {
                        for (int i = 1; i < family.size(); i++) {
                            final PerfModel narrow = new PerfModel(m, g, catalog.params(), family.get(i - 1));
                            final PerfModel wide = new PerfModel(m, g, catalog.params(), family.get(i));
                            final double rise = wide.prefillMs(isl) - narrow.prefillMs(isl);
                            final double commRise = wide.prefillCommunicationMs(isl)
                                - narrow.prefillCommunicationMs(isl);
                            assertThat(rise).as("%s %s %s -> %s ISL %d", m.name(), g.name(),
                                Mappings.label(family.get(i - 1)), Mappings.label(family.get(i)), isl)
                                .isLessThanOrEqualTo(Math.max(0, commRise) + EPS_MS);
                            rises += rise > 0 ? 1 : 0;
                        }
                    }
                }
            }
        }
        // Short prompts on wide TP do get slower (latency-bound all-reduces): the rule is not vacuous.
        assertThat(rises).isPositive();
    }

    @Test
    void shouldNeverLowerDecodeItlAsRequestsAreAdded() {
        for (final ModelSpec m : catalog.models().all()) {
            for (final GpuSpec g : catalog.gpus().values()) {
                for (final List<Mapping> family : families(m)) {
                    for (final Mapping map : family) {
                        final PerfModel pm = new PerfModel(m, g, catalog.params(), map);
                        for (final int context : new int[] {128, 1000, 3500, 16_000, m.contextLength()}) {
                            double previous = 0;
                            for (int batch = 1; batch <= RankScheduler.MAX_NUM_SEQS; batch++) {
                                final double itl = pm.decodeStepMs(batch, (long) batch * context);
                                assertThat(itl).as("%s %s %s context %d batch %d", m.name(), g.name(),
                                    Mappings.label(map), context, batch).isGreaterThanOrEqualTo(previous);
                                previous = itl;
                            }
                        }
                    }
                }
            }
        }
    }
}
