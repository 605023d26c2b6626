package dev.slaprof.dynamo;

import static dev.slaprof.dynamo.DeploymentDoc.deployment;
import static dev.slaprof.dynamo.MockerDoc.mockerDgd;
import static dev.slaprof.dynamo.PlannerConfigDoc.plannerConfig;
import static dev.slaprof.dynamo.V1beta1.choice;
import static dev.slaprof.dynamo.V1beta1.suffix;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.slaprof.schema.avro.Recommendation;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code final_config.yaml} (interop spec section 3): the {@code planner-config-<hex4>} ConfigMap, the
 * {@code planner-profile-data-<hex4>} ConfigMap with the two tables, then the DGD of the picking mode's engines and
 * replicas (the mocker's with {@code mocker}).
 */
public final class FinalConfigDoc {
    private FinalConfigDoc() {
    }

    /** The documents of final_config.yaml, in Dynamo's order. */
    public static List<JsonNode> finalConfig(final Recommendation r, final String prefillJson, final String decodeJson,
                                      final int gpusPerNode) {
        final V1beta1.Choice c = choice(r);
        final List<JsonNode> docs = new ArrayList<>();
        final String plannerCm = "planner-config-" + suffix(r, "planner-config");
        final String dataCm = "planner-profile-data-" + suffix(r, "planner-profile-data");
        final ObjectNode planner = V1beta1.JSON.createObjectNode().put("apiVersion", "v1").put("kind", "ConfigMap");
        planner.putObject("metadata").put("name", plannerCm);
        planner.putObject("data").put("planner_config.json", plannerConfig(r, c).toString());
        docs.add(planner);
        final boolean tables = prefillJson != null || decodeJson != null;
        if (tables) {
            final ObjectNode data = V1beta1.JSON.createObjectNode().put("apiVersion", "v1").put("kind", "ConfigMap");
            data.putObject("metadata").put("name", dataCm);
            final ObjectNode d = data.putObject("data");
            if (prefillJson != null) {
                d.put("prefill_raw_data.json", prefillJson);
            }
            if (decodeJson != null) {
                d.put("decode_raw_data.json", decodeJson);
            }
            docs.add(data);
        }
        docs.add(r.getSla().getMocker() ? mockerDgd(r, tables ? dataCm : null, plannerCm, c)
            : deployment(r, c, gpusPerNode, plannerCm, tables ? dataCm : null));
        return docs;
    }
}
