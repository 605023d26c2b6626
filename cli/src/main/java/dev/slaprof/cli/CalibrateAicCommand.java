package dev.slaprof.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.slaprof.accuracy.AicCalibration;
import dev.slaprof.simulator.Catalog;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code slaprof calibrate-aic}: the performance model fitted to the pinned AI Configurator's estimates
 * ({@link AicCalibration}) for the catalog's dense models and the GPUs AIC has, with the error table before and after;
 * the fitted file goes beside the table and never over the bundled one.
 */
@Command(name = "calibrate-aic", mixinStandardHelpOptions = true, showDefaultValues = true,
    description = "Fit config/perf-model.yaml to AI Configurator's estimates (catalog dense models x GPUs AIC has) "
        + "and print the error table before and after.")
final class CalibrateAicCommand implements Callable<Integer> {
    @Option(names = "--models", split = ",", defaultValue = "Qwen/Qwen3-8B,Qwen/Qwen3-32B,meta-llama/Llama-3.1-70B",
        description = "Catalog models (dense; AIC's MoE shapes need EP settings this command does not send).")
    private List<String> models;
    @Option(names = "--gpus", split = ",", defaultValue = "H100-SXM,H200-SXM,B200", description = "Catalog GPUs.")
    private List<String> gpus;
    @Option(names = "--backend", defaultValue = "vllm", description = "AIC backend: vllm, sglang or trtllm.")
    private String backend;
    @Option(names = "--prefill-isls", split = ",", defaultValue = "1000,3000,8000", description = "Prefill ISLs.")
    private List<Integer> prefillIsls;
    @Option(names = "--batches", split = ",", defaultValue = "1,16,64,256", description = "Decode batch sizes.")
    private List<Integer> batches;
    @Option(names = "--isl", defaultValue = "3000", description = "Prompt length of the decode points.")
    private int isl;
    @Option(names = "--osl", defaultValue = "500", description = "Output length of the decode points.")
    private int osl;
    @Mixin
    private PeersPythonOption peersPython;
    @Option(names = "--out", defaultValue = "target/calibration-aic.json", description = "Points and tables as JSON.")
    private Path outFile;
    @Option(names = "--write", defaultValue = "target/perf-model.fitted.yaml",
        description = "Where the fitted parameters go (copy over config/perf-model.yaml to adopt them).")
    private Path fittedFile;
    @Option(names = "--iterations", defaultValue = "4000", description = "Loss evaluations of the Nelder-Mead fit at most.")
    private int iterations;

    @Override
    public Integer call() throws Exception {
        final PrintStream out = System.out;
        final AicCalibration calibration = new AicCalibration(Catalog.bundled(), backend, prefillIsls, batches, isl,
            osl);
        final AicCalibration.Answers answers = calibration.ask(peersPython.resolve(), models, gpus,
            Files.createTempDirectory("calibrate-aic-"), out);
        final AicCalibration.Fit fit = calibration.fit(answers, iterations);
        final ObjectNode report = fit.report();
        AicCalibration.print(out, report);
        final ObjectMapper json = new ObjectMapper();
        Files.createDirectories(outFile.toAbsolutePath().getParent());
        Files.writeString(outFile, json.writerWithDefaultPrettyPrinter().writeValueAsString(report));
        Files.createDirectories(fittedFile.toAbsolutePath().getParent());
        Files.writeString(fittedFile, "# Fitted by `slaprof calibrate-aic --backend " + backend + "` to AI Configurator's "
            + "estimates (" + answers.points().size() + " points); see docs/CALIBRATION.md.\n"
            + new ObjectMapper(new YAMLFactory()).writeValueAsString(fit.after()).replaceFirst("^---\n", ""));
        out.println("calibrate-aic: wrote " + outFile + " and " + fittedFile);
        return 0;
    }
}
