package dev.slaprof.dynamo;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.slaprof.schema.avro.Backend;
import dev.slaprof.schema.avro.ModeRow;
import dev.slaprof.schema.avro.PerfPoint;
import dev.slaprof.schema.avro.Recommendation;
import dev.slaprof.schema.avro.SlaTarget;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * What Dynamo 1.x's profiler outputs (interop spec section 3) share: the image names, the paths in the pods, the
 * ConfigMap suffixes, the worker names and the engines and replicas a v1beta1 DGD deploys. The documents each have a
 * class: {@link FinalConfigDoc}, {@link PlannerConfigDoc}, {@link DeploymentDoc}, {@link MockerDoc},
 * {@link ProfilerStatusDoc}.
 */
public final class V1beta1 {
    static final ObjectMapper JSON = new ObjectMapper();
    /** Dynamo release whose images the generated components name when the request gives none. */
    public static final String DEFAULT_IMAGE = "nvcr.io/nvidia/ai-dynamo/dynamo-planner:1.4.0";
    static final String WORKSPACE = "/workspace";
    static final String PROFILE_DIR = WORKSPACE + "/profiling_results";
    static final String PLANNER_CONFIG_DIR = WORKSPACE + "/planner_config";

    private V1beta1() {
    }

    /** The engines and replicas the v1beta1 DGD deploys: a pin's, else the picking mode's, else the classic picks. */
    public record Choice(PerfPoint prefill, PerfPoint decode, int prefillReplicas, int decodeReplicas) {
    }

    /** The engines and replicas of {@code r}'s DGD. */
    public static Choice choice(final Recommendation r) {
        if (r.getPinned() == null && r.getModePick() != null && !r.getModePick().getRows().isEmpty()) {
            final ModeRow m = r.getModePick().getRows().get(0);
            return new Choice(r.getPrefillPoints().get(m.getPrefillIndex()),
                r.getDecodePoints().get(m.getDecodeIndex()), m.getPrefillReplicas(), m.getDecodeReplicas());
        }
        return new Choice(r.getPrefill().getPoint(), r.getDecode().getPoint(), 1, 1);
    }

    /** 4 hex digits naming a ConfigMap: stable per deployment, profile and kind (Dynamo draws them at random). */
    public static String suffix(final Recommendation r, final String kind) {
        try {
            final byte[] h = MessageDigest.getInstance("SHA-256").digest((SafeNames.deployment(r.getDeployment())
                + '\u001f' + r.getSla().getProfile() + '\u001f' + kind).getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(h, 0, 2);
        } catch (final NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** An image of the request's registry and tag with the name component replaced (section 3.4). */
    static String image(final SlaTarget sla, final String name) {
        final String base = sla.getImage().isEmpty() ? DEFAULT_IMAGE : sla.getImage();
        final int slash = base.lastIndexOf('/');
        final int colon = base.lastIndexOf(':');
        final String registry = slash < 0 ? "" : base.substring(0, slash + 1);
        final String tag = colon > slash ? base.substring(colon) : "";
        return registry + name + tag;
    }

    static String runtimeImage(final Recommendation r) {
        return image(r.getSla(), switch (r.getDeployment().getBackend()) {
            case SGLANG -> "sglang-runtime";
            case TRTLLM -> "tensorrtllm-runtime";
            default -> "vllm-runtime";
        });
    }

    /** Worker component names of the current templates (section 3.4). */
    public static String workerName(final Backend be, final String role) {
        return be == Backend.VLLM ? ("prefill".equals(role) ? "VllmPrefillWorker" : "VllmDecodeWorker") : role;
    }
}
