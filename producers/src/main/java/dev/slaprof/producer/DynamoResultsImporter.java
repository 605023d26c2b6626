package dev.slaprof.producer;

import dev.slaprof.schema.Mappings;
import dev.slaprof.schema.avro.Deployment;
import dev.slaprof.schema.avro.LatencySample;
import dev.slaprof.schema.avro.Mapping;
import dev.slaprof.schema.avro.Phase;
import dev.slaprof.schema.avro.Role;
import dev.slaprof.schema.avro.SourceKind;
import dev.slaprof.schema.avro.Sweep;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Re-reads a results directory written by Dynamo's {@code profile_sla}: mapping, role and load point come from
 * the folder names, the samples from each run's per-request export ({@code profile_export.jsonl}):
 * {@code prefill_{n}gpus_{TAG}/aiperf_isl{ISL}/} and
 * {@code decode_{n}gpus_{TAG}/aiperf_request{N}_isl{ISL}_osl{OSL}_n{N}[_warmup]/} (the {@code _warmup} run
 * only fills the prefix cache, so its records are warmup), and the TP-only profiler's names {@code prefill_tp{N}/},
 * {@code decode_tp{N}/} with {@code gap_}-prefixed run folders. The {@code selected_*_interpolation/} folders do
 * not name their mapping: they are read only when the caller says which mapping was selected. A genai-perf summary
 * without per-request records is reported as skipped, with the reason.
 */
public final class DynamoResultsImporter {
    private static final Pattern ENGINE = Pattern.compile("(prefill|decode)_(\\d+)gpus_([A-Za-z]+\\d+)");
    /** The TP-only profiler's engine folders (Dynamo before the MoE sweep): {@code prefill_tp{N}}, {@code decode_tp{N}}. */
    private static final Pattern OLD_ENGINE = Pattern.compile("(prefill|decode)_tp(\\d+)");
    private static final Pattern PREFILL_RUN = Pattern.compile("(?:aiperf|gap)_isl(\\d+)");
    /** The decode interpolation sweep's run folders under selected_decode_interpolation/. */
    private static final Pattern DECODE_INTERPOLATION_RUN =
        Pattern.compile("aiperf_isl(\\d+)_osl(\\d+)_n(\\d+)(_warmup)?");
    /** Worker id of imported Dynamo sweep samples: planned points (the topology keys them exactly). */
    public static final String WORKER_ID = "dynamo-import";
    private static final Pattern DECODE_RUN =
        Pattern.compile("(?:aiperf|gap)_request(\\d+)_isl(\\d+)_osl(\\d+)_n(\\d+)(_warmup)?");
    private static final String EXPORT = "profile_export.jsonl";
    /** genai-perf's export (the TP-only profiler's client): no per-request JSON lines, so not importable. */
    private static final String GENAI_PERF_EXPORT = "profile_export_genai_perf.json";

    /**
     * Outcome: samples imported, lines rejected (file:line: reason), folders skipped and why, and what each decode
     * engine folder's logs say about the engine's KV capacity.
     */
    public record Result(long imported, List<String> rejected, List<String> skipped, List<Capacity> capacities) {
    }

    /** What the logs of one decode engine folder say about its KV capacity (per rank), and which file said it. */
    public record Capacity(Mapping mapping, Path folder, CapacityDiscovery.Finding finding, Path log) {
    }

    private DynamoResultsImporter() {
    }

    /**
     * The ISL and OSL of a results directory's decode SLA sweep ({@code decode_*}/{@code aiperf_request{N}_isl{I}_
     * osl{O}_n{N}}), the lowest pair when several; empty when it has none. An import's SLA holds at these unless
     * the user gives others.
     */
    public static Optional<int[]> sweepLoad(final Path root) throws IOException {
        int[] best = null;
        try (var walk = Files.walk(root, 3)) {
            for (final Path p : walk.filter(Files::isDirectory).toList()) {
                final Matcher m = DECODE_RUN.matcher(p.getFileName().toString());
                if (m.matches()) {
                    final int[] load = {Integer.parseInt(m.group(2)), Integer.parseInt(m.group(3))};
                    if (best == null || load[0] < best[0] || load[0] == best[0] && load[1] < best[1]) {
                        best = load;
                    }
                }
            }
        }
        return Optional.ofNullable(best);
    }

    /**
     * Imports every run under {@code root}.
     *
     * @param prefillSelected mapping of {@code selected_prefill_interpolation}, or null to skip it
     * @param decodeSelected  mapping of {@code selected_decode_interpolation}, or null to skip it
     */
    public static Result importDirectory(final Path root, final Deployment deployment, final Mapping prefillSelected,
                                         final Mapping decodeSelected, final Consumer<LatencySample> sink)
        throws IOException {
        if (!Files.isDirectory(root)) {
            throw new IllegalArgumentException("not a directory: " + root);
        }
        long imported = 0;
        final List<String> rejected = new ArrayList<>();
        final List<String> skipped = new ArrayList<>();
        // One walk of the results folder serves the exports, the genai-perf summaries and the engine folders.
        final List<Path> all;
        try (Stream<Path> walk = Files.walk(root)) {
            all = walk.sorted().toList();
        }
        final List<Path> exports = all.stream().filter(p -> p.getFileName().toString().equals(EXPORT)).toList();
        final List<Path> genaiPerf = all.stream().filter(p -> p.getFileName().toString().equals(GENAI_PERF_EXPORT))
            .filter(p -> !Files.exists(p.resolveSibling(EXPORT))).toList();
        for (final Path g : genaiPerf) {
            skipped.add(root.relativize(g) + ": a genai-perf summary; slaprof imports per-request records ("
                + EXPORT + ", AIPerf), and a summary alone has none");
        }
        for (final Path export : exports) {
            final Run run = classify(root, export, prefillSelected, decodeSelected);
            if (run.skip() != null) {
                skipped.add(root.relativize(export) + ": " + run.skip());
                continue;
            }
            final AiperfRecord.Context ctx = new AiperfRecord.Context(deployment, run.role(), run.mapping(),
                run.inFlight(), run.osl(), WORKER_ID, root.relativize(export.getParent()).toString(),
                SourceKind.IMPORT, run.isl());
            final AiperfImporter.Result r = AiperfImporter.importFile(export, ctx, s -> {
                if (run.warmup()) {
                    s.setPhase(Phase.WARMUP);
                }
                s.getLoad().setSweep(run.sweep());
                // A Dynamo sweep's point, keyed exactly downstream: the worker id says so (AIPerf's own worker id
                // in the record would hide it).
                s.getSource().setWorkerId(WORKER_ID);
                sink.accept(s);
            });
            imported += r.imported();
            rejected.addAll(r.rejected());
        }
        if (exports.isEmpty() && genaiPerf.isEmpty()) {
            skipped.add(root + ": no " + EXPORT + " found (summaries alone carry no per-request samples)");
        }
        return new Result(imported, rejected, skipped, capacities(all));
    }

    /**
     * Reads the KV capacity of every decode engine folder among {@code paths} (the walk of the results folder) from
     * the engine logs Dynamo saved in it ({@code *.log} and {@code *.txt} files directly inside the folder), first
     * file with a capacity line wins, in name order; a folder whose logs say nothing gets a finding with the reason.
     */
    static List<Capacity> capacities(final List<Path> paths) throws IOException {
        final List<Capacity> out = new ArrayList<>();
        final List<Path> engines = paths.stream().filter(Files::isDirectory).filter(p -> {
            final String n = p.getFileName().toString();
            return n.startsWith("decode_") && (ENGINE.matcher(n).matches() || OLD_ENGINE.matcher(n).matches());
        }).toList();
        for (final Path engine : engines) {
            final String n = engine.getFileName().toString();
            final Matcher m = ENGINE.matcher(n);
            final Matcher old = OLD_ENGINE.matcher(n);
            final Mapping mapping = m.matches() ? Mappings.parse(m.group(3))
                : old.matches() ? Mappings.tp(Integer.parseInt(old.group(2))) : null;
            final List<Path> logs;
            try (Stream<Path> files = Files.list(engine)) {
                logs = files.filter(Files::isRegularFile).filter(p -> {
                    final String f = p.getFileName().toString();
                    return f.endsWith(".log") || f.endsWith(".txt");
                }).sorted().toList();
            }
            CapacityDiscovery.Finding found = null;
            Path from = null;
            final List<String> why = new ArrayList<>();
            for (final Path log : logs) {
                final CapacityDiscovery.Finding f = CapacityDiscovery.readLog(Files.readString(log),
                    CapacityDiscovery.VLLM_DEFAULT_BLOCK_SIZE);
                if (f.found()) {
                    found = f;
                    from = log;
                    break;
                }
                why.add(log.getFileName() + ": " + f.evidence());
            }
            if (found == null) {
                found = new CapacityDiscovery.Finding(OptionalLong.empty(), "none", logs.isEmpty()
                    ? "no engine log (*.log, *.txt) in the folder" : String.join("; ", why), false);
            }
            out.add(new Capacity(mapping, engine, found, from));
        }
        return out;
    }

    private record Run(Role role, Mapping mapping, int inFlight, int isl, int osl, boolean warmup, Sweep sweep,
                       String skip) {
        static Run skipped(final String why) {
            return new Run(null, null, 0, 0, 0, false, null, why);
        }

        static Run load(final int inFlight, final int isl, final int osl, final boolean warmup) {
            return new Run(null, null, inFlight, isl, osl, warmup, null, null);
        }
    }

    private static Run classify(final Path root, final Path export, final Mapping prefillSelected,
                                final Mapping decodeSelected) {
        Role role = null;
        Mapping mapping = null;
        Sweep sweep = Sweep.SLA;
        Run load = null;
        for (final Path part : root.relativize(export.getParent())) {
            final String name = part.toString();
            final Matcher engine = ENGINE.matcher(name);
            final Matcher old = OLD_ENGINE.matcher(name);
            final Matcher pre = PREFILL_RUN.matcher(name);
            final Matcher dec = DECODE_RUN.matcher(name);
            final Matcher interp = DECODE_INTERPOLATION_RUN.matcher(name);
            if (engine.matches()) {
                role = engine.group(1).equals("prefill") ? Role.PREFILL : Role.DECODE;
                mapping = Mappings.parse(engine.group(3));
                if (mapping.getGpus() != Integer.parseInt(engine.group(2))) {
                    return Run.skipped("folder says " + engine.group(2) + " GPUs but mapping " + engine.group(3));
                }
            } else if (old.matches()) {
                role = old.group(1).equals("prefill") ? Role.PREFILL : Role.DECODE;
                mapping = Mappings.tp(Integer.parseInt(old.group(2)));
            } else if (name.equals("selected_prefill_interpolation")) {
                role = Role.PREFILL;
                mapping = prefillSelected;
                sweep = Sweep.INTERPOLATION;
            } else if (name.equals("selected_decode_interpolation")) {
                role = Role.DECODE;
                mapping = decodeSelected;
                sweep = Sweep.INTERPOLATION;
            } else if (pre.matches()) {
                load = Run.load(1, Integer.parseInt(pre.group(1)), SweepPlans.PREFILL_OSL, false);
            } else if (dec.matches()) {
                load = Run.load(Integer.parseInt(dec.group(1)), Integer.parseInt(dec.group(2)),
                    Integer.parseInt(dec.group(3)), dec.group(5) != null);
            } else if (interp.matches()) {
                load = Run.load(Integer.parseInt(interp.group(3)), Integer.parseInt(interp.group(1)),
                    Integer.parseInt(interp.group(2)), interp.group(4) != null);
            }
        }
        if (role == null) {
            return Run.skipped("not inside a prefill_/decode_/selected_ folder");
        }
        if (mapping == null) {
            return Run.skipped("mapping of the selected " + role.name().toLowerCase(Locale.ROOT)
                + " engine not given");
        }
        if (load == null) {
            return Run.skipped("no aiperf_isl{I}, aiperf_request{n}_isl{I}_osl{O}_n{n} or aiperf_isl{I}_osl{O}_n{N} run "
                + "folder");
        }
        final int inFlight = role == Role.PREFILL && mapping.getAttnDp() > 1
            ? mapping.getAttnDp() * SweepPlans.PREFILL_ATTN_DP_RATIO : load.inFlight();
        return new Run(role, mapping, inFlight, load.isl(), load.osl(), load.warmup(), sweep, null);
    }
}
