package dev.slaprof.dynamo;

import static dev.slaprof.dynamo.DeploymentDoc.component;
import static dev.slaprof.dynamo.DeploymentDoc.dgdShell;
import static dev.slaprof.dynamo.DeploymentDoc.main;
import static dev.slaprof.dynamo.V1beta1.DEFAULT_IMAGE;
import static dev.slaprof.dynamo.V1beta1.PROFILE_DIR;
import static dev.slaprof.dynamo.V1beta1.WORKSPACE;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.slaprof.domain.recommend.PlannerRegression;
import dev.slaprof.schema.avro.DecodeTable;
import dev.slaprof.schema.avro.PrefillTable;
import dev.slaprof.schema.avro.Recommendation;
import java.util.ArrayList;
import java.util.List;

/** With the mocker (interop spec section 5): its DGD and its npz of the planner's fits. */
public final class MockerDoc {
    /** Grid size of the mocker's tables. */
    static final int MOCKER_POINTS = 100;

    private MockerDoc() {
    }

    /** The mocker DGD (section 5.3): Frontend and mocker prefill/decode workers reading the profile files. */
    public static ObjectNode mockerDgd(final Recommendation r, final String dataCm, final String plannerCm,
                                       final V1beta1.Choice c) {
        final ObjectNode dgd = dgdShell(r);
        final ArrayNode comps = dgd.putObject("spec").putArray("components");
        final String image = r.getSla().getImage().isEmpty() ? DEFAULT_IMAGE : r.getSla().getImage();
        main(component(comps, "Frontend", "frontend", 1), image, WORKSPACE, "python3", "-m", "dynamo.frontend");
        final String model = r.getDeployment().getModel();
        for (final String role : List.of("prefill", "decode")) {
            final ObjectNode w = component(comps, role, role, "prefill".equals(role) ? c.prefillReplicas()
                : c.decodeReplicas());
            final ObjectNode m = main(w, image, WORKSPACE, "python3", "-m", "dynamo.mocker");
            final ArrayNode args = m.putArray("args").add("--model-path").add(model).add("--model-name").add(model)
                .add("--speedup-ratio").add("1.0").add("--disaggregation-mode").add(role);
            if (dataCm != null) {
                args.add("--planner-profile-data").add(PROFILE_DIR);
                m.putArray("volumeMounts").addObject().put("name", dataCm).put("mountPath", PROFILE_DIR)
                    .put("readOnly", true);
                ((ObjectNode) w.path("podTemplate").path("spec")).putArray("volumes").addObject().put("name", dataCm)
                    .putObject("configMap").put("name", dataCm);
            }
        }
        return dgd;
    }

    /**
     * The mocker's npz (section 5.1) from the planner's own fits of the tables, as Dynamo's newest converter builds
     * it: {@code prefill_isl} and {@code prefill_ttft_ms} on 100 ISLs, {@code decode_active_kv_tokens} (100, 0 to
     * max kv), {@code decode_context_length} (100, 1 to the largest context) and {@code decode_itl[kv][ctx]} ms.
     * Null when a fit is not ready (the reason is in {@code reason[0]}).
     */
    public static NpzWriter mockerNpz(final PrefillTable p, final DecodeTable d, final String[] reason) {
        final PlannerRegression.Prefill pf = PlannerRegression.prefill(p);
        final PlannerRegression.Decode df = PlannerRegression.decode(d);
        if (!pf.ready() || !df.ready()) {
            reason[0] = !pf.ready() ? "prefill fit: " + pf.reason() : "decode fit: " + df.reason();
            return null;
        }
        final double minIsl = p.getPrefillIsl().stream().mapToLong(Long::longValue).min().orElse(0);
        final double maxIsl = p.getPrefillIsl().stream().mapToLong(Long::longValue).max().orElse(0);
        final List<Double> isl = linspace(minIsl, maxIsl);
        final List<Double> ttft = new ArrayList<>();
        isl.forEach(x -> ttft.add(1000 * pf.wallTime(x)));
        final double maxCtx = d.getYContextLength().stream().mapToDouble(Double::doubleValue).max().orElse(1);
        final List<Double> kv = linspace(0, d.getMaxKvTokens());
        final List<Double> ctx = linspace(1, maxCtx);
        final double[][] itl = new double[kv.size()][ctx.size()];
        for (int i = 0; i < kv.size(); i++) {
            for (int j = 0; j < ctx.size(); j++) {
                itl[i][j] = 1000 * df.wallTime(Math.max(1, kv.get(i) / ctx.get(j)), kv.get(i));
            }
        }
        return new NpzWriter().float64("prefill_isl", isl).float64("prefill_ttft_ms", ttft)
            .float64("decode_active_kv_tokens", kv).float64("decode_context_length", ctx).float64("decode_itl", itl);
    }

    private static List<Double> linspace(final double a, final double b) {
        final List<Double> out = new ArrayList<>(MOCKER_POINTS);
        for (int i = 0; i < MOCKER_POINTS; i++) {
            out.add(a + (b - a) * i / (MOCKER_POINTS - 1));
        }
        return out;
    }
}
