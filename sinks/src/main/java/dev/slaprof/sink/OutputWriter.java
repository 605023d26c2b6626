package dev.slaprof.sink;

import dev.slaprof.dynamo.DeploymentDoc;
import dev.slaprof.dynamo.DgdYaml;
import dev.slaprof.dynamo.FinalConfigDoc;
import dev.slaprof.dynamo.MockerDoc;
import dev.slaprof.dynamo.NpzWriter;
import dev.slaprof.dynamo.ProfilerStatusDoc;
import dev.slaprof.dynamo.SafeNames;
import dev.slaprof.dynamo.V1beta1;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SequenceWriter;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import dev.slaprof.schema.avro.DecodeTable;
import dev.slaprof.schema.avro.PrefillTable;
import dev.slaprof.schema.avro.Recommendation;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * Writes one recommendation as Dynamo's profiler output folder {@code <root>/<deployment>/<profile>/}: the two
 * {@code raw_data.npz} files, their ConfigMap JSON forms, {@code config_with_planner.yaml} and
 * {@code recommendation.json}. The folder is written beside the target and renamed into place, so a planner never
 * reads half a table.
 */
public final class OutputWriter {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** The YAML dialect of every file and preview: no document marker, quotes only where needed. */
    static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory()
        .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER).enable(YAMLGenerator.Feature.MINIMIZE_QUOTES)
        .enable(YAMLGenerator.Feature.ALWAYS_QUOTE_NUMBERS_AS_STRINGS));

    private final Path root;
    private final int gpusPerNode;

    public OutputWriter(final Path root) {
        this(root, DgdYaml.DEFAULT_GPUS_PER_NODE);
    }

    /** @param gpusPerNode GPUs per node of the target cluster (wider workers get a multinode layout) */
    public OutputWriter(final Path root, final int gpusPerNode) {
        this.root = root;
        this.gpusPerNode = gpusPerNode;
    }

    /** Folder of a recommendation. */
    public Path folder(final Recommendation r) {
        return root.resolve(SafeNames.deployment(r.getDeployment())).resolve(SafeNames.segment(r.getSla().getProfile()));
    }

    /** GPUs per node of the target cluster. */
    public int gpusPerNode() {
        return gpusPerNode;
    }

    /** Writes (replaces) the folder of a recommendation; returns it. */
    public Path write(final Recommendation r) {
        final Path target = folder(r);
        try {
            Files.createDirectories(target.getParent());
            final Path tmp = Files.createTempDirectory(target.getParent(), ".tmp-");
            writeInto(tmp, r);
            final Path old = target.getParent().resolve(".old-" + target.getFileName() + "-" + System.nanoTime());
            if (Files.exists(target)) {
                Files.move(target, old, StandardCopyOption.ATOMIC_MOVE);
            }
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
            deleteTree(old);
            return target;
        } catch (final IOException e) {
            throw new UncheckedIOException("cannot write outputs to " + target, e);
        }
    }

    private void writeInto(final Path dir, final Recommendation r) throws IOException {
        // Dynamo's planner builds a cubic spline from the prefill table and cannot from fewer than 4 points: such a
        // table is refused (its reason stays in recommendation.json, prefill_table.reason), not written.
        final PrefillTable p = r.getPrefillTable() != null && r.getPrefillTable().getComplete()
            ? r.getPrefillTable() : null;
        final DecodeTable d = r.getDecodeTable();
        final String prefillJson = p == null ? null : prefillJson(p);
        final String decodeJson = d == null ? null : decodeJson(d);
        if (p != null) {
            Files.writeString(dir.resolve("prefill_raw_data.json"), prefillJson);
            final Path npz = Files.createDirectories(dir.resolve("selected_prefill_interpolation"));
            try (OutputStream out = Files.newOutputStream(npz.resolve("raw_data.npz"))) {
                new NpzWriter().int64("prefill_isl", p.getPrefillIsl()).float64("prefill_ttft", p.getPrefillTtft())
                    .float64("prefill_thpt_per_gpu", p.getPrefillThptPerGpu()).writeTo(out);
            }
        }
        if (d != null) {
            Files.writeString(dir.resolve("decode_raw_data.json"), decodeJson);
            final Path npz = Files.createDirectories(dir.resolve("selected_decode_interpolation"));
            try (OutputStream out = Files.newOutputStream(npz.resolve("raw_data.npz"))) {
                new NpzWriter().float64("x_kv_usage", d.getXKvUsage()).float64("y_context_length", d.getYContextLength())
                    .float64("z_itl", d.getZItl()).float64("z_thpt_per_gpu", d.getZThptPerGpu())
                    .int64("max_kv_tokens", List.of(d.getMaxKvTokens())).writeTo(out);
            }
        }
        // As Dynamo's profiler: no DGD when a side has no pick (nothing was measured for it).
        if ("v1beta1".equals(r.getSla().getDynamoApi())) {
            writeV1beta1(dir, r, p, d, prefillJson, decodeJson);
        } else if (r.getPrefill() != null && r.getDecode() != null) {
            try (Writer w = Files.newBufferedWriter(dir.resolve("config_with_planner.yaml"));
                 SequenceWriter seq = YAML.writer().writeValues(w)) {
                if (p != null && d != null) {
                    seq.write(DgdYaml.configMap(prefillJson, decodeJson));
                }
                seq.write(DgdYaml.deployment(r, gpusPerNode));
            }
        }
        Plots.write(r, new PlannerView(r), dir);
        Files.writeString(dir.resolve("recommendation.json"),
            JSON.writerWithDefaultPrettyPrinter().writeValueAsString(AvroJson.toJson(r)));
    }

    /**
     * Dynamo 1.x's files: final_config.yaml (planner-config and planner-profile-data ConfigMaps, then the DGD),
     * picked_dgd_config.yaml (the picked DGD before the mocker replaces its workers), profiler_status.yaml, and with
     * the mocker its npz.
     */
    private void writeV1beta1(final Path dir, final Recommendation r, final PrefillTable p, final DecodeTable d,
                              final String prefillJson, final String decodeJson) throws IOException {
        if (r.getPrefill() == null || r.getDecode() == null) {
            return;
        }
        try (Writer w = Files.newBufferedWriter(dir.resolve("final_config.yaml"));
             SequenceWriter seq = YAML.writer().writeValues(w)) {
            for (final JsonNode doc : FinalConfigDoc.finalConfig(r, prefillJson,
                p == null || d == null || !d.getComplete() ? null : decodeJson, gpusPerNode)) {
                seq.write(doc);
            }
        }
        final V1beta1.Choice c = V1beta1.choice(r);
        Files.writeString(dir.resolve("picked_dgd_config.yaml"), YAML.writeValueAsString(
            DeploymentDoc.deployment(r, c, gpusPerNode, null, null)));
        Files.writeString(dir.resolve("profiler_status.yaml"), YAML.writeValueAsString(ProfilerStatusDoc.status(r)));
        if (r.getSla().getMocker() && p != null && d != null && d.getComplete()) {
            final String[] why = new String[1];
            final NpzWriter npz = MockerDoc.mockerNpz(p, d, why);
            if (npz != null) {
                try (OutputStream out = Files.newOutputStream(dir.resolve("mocker_profile_data.npz"))) {
                    npz.writeTo(out);
                }
            } else {
                Files.writeString(dir.resolve("mocker_profile_data.txt"), "not written: " + why[0] + "\n");
            }
        }
    }

    static String prefillJson(final PrefillTable p) throws IOException {
        final ObjectNode n = JSON.createObjectNode();
        p.getPrefillIsl().forEach(n.putArray("prefill_isl")::add);
        p.getPrefillTtft().forEach(n.putArray("prefill_ttft")::add);
        p.getPrefillThptPerGpu().forEach(n.putArray("prefill_thpt_per_gpu")::add);
        return JSON.writeValueAsString(n);
    }

    static String decodeJson(final DecodeTable d) throws IOException {
        final ObjectNode n = JSON.createObjectNode();
        d.getXKvUsage().forEach(n.putArray("x_kv_usage")::add);
        d.getYContextLength().forEach(n.putArray("y_context_length")::add);
        d.getZItl().forEach(n.putArray("z_itl")::add);
        d.getZThptPerGpu().forEach(n.putArray("z_thpt_per_gpu")::add);
        n.put("max_kv_tokens", d.getMaxKvTokens());
        return JSON.writeValueAsString(n);
    }

    private static void deleteTree(final Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            for (final Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
