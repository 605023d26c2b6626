package dev.slaprof.accuracy;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The best mapping under the group's median TPOT, by the measurements and by the estimates of the same points. */
class PickAgreementTest {
    private static final String HEADER = "id,silicon_data_source,backend,backend_version,model_path,system,precision,"
        + "mode,isl,osl,gemm_quant_mode,moe_quant_mode,batch_size,tp_size,pp_size,attention_dp_size,moe_tp_size,"
        + "moe_ep_size,silicon_ttft_ms,silicon_tpot_ms\n";

    private static RowReplay.Estimate point(final int tp, final int c, final double ttft, final double tpot,
                                            final double ttftEst, final double tpotEst) {
        final SiliconRow r = SiliconCsv.parse("t.csv", HEADER + "r" + tp + "c" + c + ",src; silicon_concurrency=" + c
            + ",vllm,,Qwen/Qwen3-32B,h100_sxm,fp8,agg,1000,101,,," + c + "," + tp + ",1,1,,," + ttft + "," + tpot
            + "\n").rows().get(0);
        return new RowReplay.Estimate(r, ttftEst, tpotEst, false, null);
    }

    @Test
    void shouldCompareTheBestMappingUnderTheMedianTpot() {
        final List<RowReplay.Estimate> es = new ArrayList<>();
        // TPOTs 10, 20, 30, 40: the median target is 25 ms, so TP=1 (10 ms) and TP=2 (20 ms) qualify.
        // Measured tokens/s/GPU: TP=1 64 x 101 / (0.1 + 1.0) / 1 = 5876; TP=2 64 x 101 / (0.1 + 2.0) / 2 = 1539.
        es.add(point(1, 64, 100, 10, 100, 10));
        es.add(point(2, 64, 100, 20, 100, 20));
        es.add(point(4, 64, 100, 30, 100, 30));
        es.add(point(8, 64, 100, 40, 100, 40));
        final PickAgreement.Group g = PickAgreement.groups(es).get(0);
        assertThat(g.mappings()).isEqualTo(4);
        assertThat(g.tpotTargetMs()).isEqualTo(25.0);
        assertThat(g.measured()).isEqualTo("TP=1");
        assertThat(g.agrees()).isTrue();
        // Estimates that put TP=1 over the target (26 ms) move slaprof's pick to TP=2: a disagreement.
        es.set(0, point(1, 64, 100, 10, 100, 26));
        assertThat(PickAgreement.groups(es).get(0).estimated()).isEqualTo("TP=2");
        assertThat(PickAgreement.groups(es).get(0).agrees()).isFalse();
        // Two mappings are not a group.
        assertThat(PickAgreement.groups(es.subList(0, 2))).isEmpty();
    }
}
