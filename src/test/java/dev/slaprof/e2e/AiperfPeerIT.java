package dev.slaprof.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.slaprof.domain.stats.Buckets;
import dev.slaprof.producer.AiperfImporter;
import dev.slaprof.producer.AiperfRecord;
import dev.slaprof.producer.Endpoint;
import dev.slaprof.producer.HttpLoadDriver;
import dev.slaprof.producer.Measurement;
import dev.slaprof.producer.StreamingClient;
import dev.slaprof.producer.TapProxy;
import dev.slaprof.schema.InMemorySchemaRegistry;
import dev.slaprof.schema.Mappings;
import dev.slaprof.schema.SlaTargets;
import dev.slaprof.schema.Topics;
import dev.slaprof.schema.avro.Backend;
import dev.slaprof.schema.avro.Deployment;
import dev.slaprof.schema.avro.LatencySample;
import dev.slaprof.schema.avro.MappingLoadStats;
import dev.slaprof.schema.avro.Role;
import dev.slaprof.schema.avro.SourceKind;
import dev.slaprof.schema.avro.Statistic;
import dev.slaprof.simulator.Catalog;
import dev.slaprof.simulator.Faults;
import dev.slaprof.simulator.Fleet;
import dev.slaprof.sink.SinkService;
import dev.slaprof.topology.SlaprofTopology;
import dev.slaprof.topology.StreamsSettings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.LongStream;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.streams.KafkaStreams;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * AIPerf 0.13.0 as a real client (issue 20, part 2): {@code aiperf profile} (streaming chat, fixed ISL and OSL, three
 * concurrency levels) against a simulated engine over HTTP; its own per-request export, imported into the embedded
 * broker, aggregates in the topology to bucket statistics equal to AIPerf's own summary.
 */
@ExtendWith(KafkaBrokerExtension.class)
@Timeout(value = 8, unit = TimeUnit.MINUTES)
class AiperfPeerIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int[] CONCURRENCY = {1, 4, 8};
    private static final int REQUESTS = 48;

    @TempDir
    Path dir;

    @Test
    void shouldAggregateAiperfsOwnRecordsToAiperfsOwnSummary(final TestBroker broker) throws Exception {
        final String python = Python.peers();
        final Path aiperf = Path.of(python).resolveSibling("aiperf");
        final Path tokenizer = dir.resolve("tokenizer");
        Python.runFile(python, Path.of("python/make_tokenizer.py"), tokenizer.toString());
        final Deployment d = new Deployment("Qwen/Qwen3-32B", Backend.VLLM, "", "H200-SXM",
            "aiperf-it-" + UUID.randomUUID().toString().substring(0, 8));
        final Topics topics = broker.ownTopics("aiperf-it", new InMemorySchemaRegistry());
        final Properties props = StreamsSettings.defaults(broker.clientProps(), topics, "aiperf-it-" + UUID.randomUUID(),
            Files.createTempDirectory("aiperf-it-state"));
        final List<JsonNode> summaries = new ArrayList<>();
        try (Fleet fleet = Fleet.start(Catalog.bundled(), "Qwen/Qwen3-32B", "H200-SXM", List.of(Mappings.tp(2)),
                 List.of(Role.DECODE), 1.0, 0.03, 1, Faults.NONE);
             KafkaStreams streams = new KafkaStreams(SlaprofTopology.build(props, topics, SlaTargets
                 .of("default", 500.0, 30.0, 200, 50, Statistic.MEAN, 1, 8, 1, false), Duration.ofMillis(250)), props);
             SinkService sink = new SinkService(broker.clientProps(), topics, dir.resolve("out"), "127.0.0.1", 0,
                 Map::of);
             KafkaProducer<Deployment, LatencySample> samples = new KafkaProducer<>(broker.clientProps(),
                 topics.samples().keySerde().serializer(), topics.samples().valueSerde().serializer())) {
            TestBroker.startAndAwaitTasks(streams);
            final String url = fleet.engines().get(0).url();
            for (final int c : CONCURRENCY) {
                final Path artifacts = dir.resolve("aiperf-c" + c);
                final Process p = new ProcessBuilder(aiperf.toString(), "profile", "--model", "Qwen/Qwen3-32B",
                    "--tokenizer", tokenizer.toString(), "--url", url, "--endpoint-type", "chat", "--streaming",
                    "--concurrency", Integer.toString(c), "--request-count", Integer.toString(REQUESTS),
                    "--synthetic-input-tokens-mean", "200", "--synthetic-input-tokens-stddev", "0",
                    "--output-tokens-mean", "50", "--output-tokens-stddev", "0", "--extra-inputs", "ignore_eos:true",
                    "--output-artifact-dir", artifacts.toString(), "--ui-type", "none")
                    .redirectErrorStream(true).redirectOutput(dir.resolve("aiperf-c" + c + ".log").toFile()).start();
                assertThat(p.waitFor(180, TimeUnit.SECONDS)).as("aiperf at concurrency %d finished", c).isTrue();
                assertThat(p.exitValue()).as(Files.readString(dir.resolve("aiperf-c" + c + ".log"))).isZero();
                summaries.add(JSON.readTree(artifacts.resolve("profile_export_aiperf.json").toFile()));
                final AiperfRecord.Context ctx = new AiperfRecord.Context(d, Role.DECODE, Mappings.tp(2), c, 50,
                    "aiperf-peer", "aiperf-c" + c, SourceKind.IMPORT);
                final AiperfImporter.Result r = AiperfImporter.importFile(artifacts.resolve("profile_export.jsonl"),
                    ctx, s -> samples.send(new ProducerRecord<>(topics.samples().name(), d, s)));
                assertThat(r.rejected()).isEmpty();
            }
            samples.flush();
            for (int i = 0; i < CONCURRENCY.length; i++) {
                final int c = CONCURRENCY[i];
                final JsonNode a = summaries.get(i);
                final long requests = a.path("request_count").path("avg").asLong();
                Awaitility.await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
                    .until(() -> bucket(sink, d, c) != null && bucket(sink, d, c).getOkCount() == requests);
                final MappingLoadStats b = bucket(sink, d, c);
                final JsonNode ttft = a.path("time_to_first_token");
                final JsonNode itl = a.path("inter_token_latency");
                System.out.printf(Locale.ROOT, "aiperf peer c=%d: requests %d (slaprof %d), errors %d (slaprof %d); "
                        + "TTFT avg %.4f (%.4f) p50 %.4f (%.4f) p90 %.4f (%.4f) p99 %.4f (%.4f); ITL avg %.4f (%.4f) "
                        + "ms%n", c, requests, b.getOkCount(), a.path("error_request_count").path("avg").asLong(0),
                    b.getFailedCount(), ttft.path("avg").asDouble(), b.getTtft().getMeanMs(), ttft.path("p50")
                        .asDouble(), b.getTtft().getP50Ms(), ttft.path("p90").asDouble(), b.getTtft().getP90Ms(),
                    ttft.path("p99").asDouble(), b.getTtft().getP99Ms(), itl.path("avg").asDouble(),
                    b.getItl().getMeanMs());
                assertThat(b.getOkCount()).isEqualTo(requests);
                assertThat(b.getFailedCount()).isEqualTo(a.path("error_request_count").path("avg").asLong(0));
                assertThat(b.getTtft().getMeanMs() / ttft.path("avg").asDouble()).isCloseTo(1.0, within(0.01));
                assertThat(b.getItl().getMeanMs() / itl.path("avg").asDouble()).isCloseTo(1.0, within(0.01));
                assertThat(b.getTtft().getP50Ms() / ttft.path("p50").asDouble()).isCloseTo(1.0, within(0.01));
                assertThat(b.getTtft().getP90Ms() / ttft.path("p90").asDouble()).isCloseTo(1.0, within(0.01));
                assertThat(b.getTtft().getP99Ms() / ttft.path("p99").asDouble()).isCloseTo(1.0, within(0.01));
            }
        }
    }

    /**
     * slaprof's own benchmark worker at AIPerf's load (issue 20, part 2): the same engine kind, fresh for each client,
     * the same ISL (2,000 words: prefill dominates TTFT, as at Dynamo's SLA ISL), OSL, concurrency, request and warm-up
     * counts, and prompts that never repeat on either side (AIPerf's shuffled dataset of more entries than requests;
     * the worker's fresh prompts), so the engine's prefix cache plays no part. The two clients' TTFT and ITL means
     * must agree within 3 %; the worker's own figures are also set against the engine's schedule of its requests.
     */
    @Test
    void shouldAgreeWithSlaprofsWorkerAtTheSameLoad() throws Exception {
        final int isl = 2000;
        final int osl = 50;
        final int concurrency = 4;
        final int requests = 32;
        final int warmup = 4;
        final String python = Python.peers();
        final Path aiperf = Path.of(python).resolveSibling("aiperf");
        final Path tokenizer = dir.resolve("tokenizer");
        Python.runFile(python, Path.of("python/make_tokenizer.py"), tokenizer.toString());
        final JsonNode summary;
        try (Fleet fleet = Fleet.start(Catalog.bundled(), "Qwen/Qwen3-32B", "H200-SXM", List.of(Mappings.tp(2)),
                 List.of(Role.DECODE), 1.0, 0.03, 1, Faults.NONE)) {
            final Path artifacts = dir.resolve("aiperf-load");
            final Process p = new ProcessBuilder(aiperf.toString(), "profile", "--model", "Qwen/Qwen3-32B",
                "--tokenizer", tokenizer.toString(), "--url", fleet.engines().get(0).url(), "--endpoint-type", "chat",
                "--streaming", "--concurrency", Integer.toString(concurrency), "--request-count",
                Integer.toString(requests), "--warmup-request-count", Integer.toString(warmup),
                "--num-dataset-entries", Integer.toString(4 * (requests + warmup)),
                "--synthetic-input-tokens-mean", Integer.toString(isl), "--synthetic-input-tokens-stddev", "0",
                "--output-tokens-mean", Integer.toString(osl), "--output-tokens-stddev", "0",
                "--extra-inputs", "ignore_eos:true", "--output-artifact-dir", artifacts.toString(), "--ui-type", "none")
                .redirectErrorStream(true).redirectOutput(dir.resolve("aiperf-load.log").toFile()).start();
            assertThat(p.waitFor(180, TimeUnit.SECONDS)).as("aiperf finished").isTrue();
            assertThat(p.exitValue()).as(Files.readString(dir.resolve("aiperf-load.log"))).isZero();
            summary = JSON.readTree(artifacts.resolve("profile_export_aiperf.json").toFile());
            final Set<String> prompts = new HashSet<>();
            for (final JsonNode session : JSON.readTree(artifacts.resolve("inputs.json").toFile()).path("data")) {
                session.path("payloads").forEach(x -> prompts.add(x.path("messages").toString()));
            }
            assertThat(prompts).as("AIPerf's prompts never repeat").hasSize(requests + warmup);
        }
        final List<Measurement> measured = new ArrayList<>();
        try (Fleet fleet = Fleet.start(Catalog.bundled(), "Qwen/Qwen3-32B", "H200-SXM", List.of(Mappings.tp(2)),
                 List.of(Role.DECODE), 1.0, 0.03, 1, Faults.NONE);
             HttpLoadDriver worker = new HttpLoadDriver(StreamingClient.create(Duration.ofMinutes(2), 1.0))) {
            final Endpoint e = new Endpoint(fleet.engines().get(0).url(), new Deployment("Qwen/Qwen3-32B",
                Backend.VLLM, "", "H200-SXM", "worker-load"), Role.DECODE, Mappings.tp(2), true);
            worker.burst(e, isl, osl, LongStream.range(0, warmup).boxed().toList(), concurrency, x -> { });
            worker.burst(e, isl, osl, LongStream.range(1000, 1000 + requests).boxed().toList(), concurrency,
                x -> {
                    synchronized (measured) {
                        measured.add(x);
                    }
                });
        }
        assertThat(measured).hasSize(requests).allMatch(Measurement::ok);
        final double ttft = measured.stream().mapToDouble(Measurement::ttftMs).average().orElseThrow();
        final double itl = measured.stream().mapToDouble(Measurement::itlMs).average().orElseThrow();
        final double ttftScheduled = measured.stream().mapToDouble(Measurement::scheduledTtftMs).average()
            .orElseThrow();
        final double itlScheduled = measured.stream().mapToDouble(Measurement::scheduledItlMs).average().orElseThrow();
        final double aiperfTtft = summary.path("time_to_first_token").path("avg").asDouble();
        final double aiperfItl = summary.path("inter_token_latency").path("avg").asDouble();
        System.out.printf(Locale.ROOT, "aiperf peer against the worker at the same load (ISL %d, OSL %d, concurrency "
                + "%d, %d requests after %d warm-up): TTFT avg AIPerf %.3f, worker %.3f ms (%+.2f %%; the engine's "
                + "schedule of the worker's requests %.3f ms); ITL avg AIPerf %.4f, worker %.4f ms (%+.2f %%; "
                + "schedule %.4f ms)%n", isl, osl, concurrency, requests, warmup, aiperfTtft, ttft,
            100 * (ttft / aiperfTtft - 1), ttftScheduled, aiperfItl, itl, 100 * (itl / aiperfItl - 1), itlScheduled);
        assertThat(summary.path("request_count").path("avg").asInt()).isEqualTo(requests);
        assertThat(ttft / aiperfTtft).as("TTFT avg, worker over AIPerf").isCloseTo(1.0, within(0.03));
        assertThat(itl / aiperfItl).as("ITL avg, worker over AIPerf").isCloseTo(1.0, within(0.03));
    }

    /**
     * The live tap in front of the engine, with AIPerf as the client, matched request by request through AIPerf's
     * X-Request-ID: the tap measured every request; its TTFT is never later than AIPerf's (it starts when the tap holds
     * the request, after AIPerf sent it) and the gap is reported; its ITL agrees with AIPerf's within 2 % at the
     * median (the largest difference is reported: one request's ITL on two clocks of a loaded 2-core machine differs
     * by up to 6 %). The per-request bound (TTFT within 2 ms + 2 %) is not asserted: on a
     * 2-core machine AIPerf's own client-side time before the request reaches the tap is several ms (docs/CALIBRATION.md).
     */
    @Test
    void shouldMeasureEachRealRequestThroughTheTapAsAiperfDoes() throws Exception {
        final String python = Python.peers();
        final Path aiperf = Path.of(python).resolveSibling("aiperf");
        final Path tokenizer = dir.resolve("tokenizer");
        Python.runFile(python, Path.of("python/make_tokenizer.py"), tokenizer.toString());
        final Deployment d = new Deployment("Qwen/Qwen3-32B", Backend.VLLM, "", "H200-SXM", "aiperf-tap-it");
        final Map<String, LatencySample> tapped = new ConcurrentHashMap<>();
        try (Fleet fleet = Fleet.start(Catalog.bundled(), "Qwen/Qwen3-32B", "H200-SXM", List.of(Mappings.tp(2)),
                 List.of(Role.DECODE), 1.0, 0.03, 1, Faults.NONE);
             TapProxy tap = new TapProxy(fleet.engines().get(0).url(),
                 new Endpoint("", d, Role.DECODE, Mappings.tp(2), true),
                 s -> tapped.put(s.getEventId(), s), "127.0.0.1", 0)) {
            final Path artifacts = dir.resolve("aiperf-tap");
            final Process p = new ProcessBuilder(aiperf.toString(), "profile", "--model", "Qwen/Qwen3-32B",
                "--tokenizer", tokenizer.toString(), "--url", tap.url(), "--endpoint-type", "chat", "--streaming",
                "--concurrency", "4", "--request-count", Integer.toString(REQUESTS),
                "--synthetic-input-tokens-mean", "200", "--synthetic-input-tokens-stddev", "0",
                "--output-tokens-mean", "50", "--output-tokens-stddev", "0", "--extra-inputs", "ignore_eos:true",
                "--output-artifact-dir", artifacts.toString(), "--ui-type", "none")
                .redirectErrorStream(true).redirectOutput(dir.resolve("aiperf-tap.log").toFile()).start();
            assertThat(p.waitFor(180, TimeUnit.SECONDS)).isTrue();
            assertThat(p.exitValue()).as(Files.readString(dir.resolve("aiperf-tap.log"))).isZero();
            int matched = 0;
            int withinBound = 0;
            final List<Double> ttftGaps = new ArrayList<>();
            final List<Double> itlDiffs = new ArrayList<>();
            for (final String line : Files.readAllLines(artifacts.resolve("profile_export.jsonl"))) {
                final JsonNode rec = JSON.readTree(line);
                final String id = rec.path("metadata").path("x_request_id").asText();
                final LatencySample t = tapped.get(TapProxy.TAP_ID_PREFIX + id);
                assertThat(t).as("the tap measured request %s", id).isNotNull();
                final double ttft = rec.path("metrics").path("time_to_first_token").path("value").asDouble();
                final double itl = rec.path("metrics").path("inter_token_latency").path("value").asDouble();
                // Causality: the tap holds the request after AIPerf sent it, and sees the first token before AIPerf.
                assertThat(t.getTtftMs()).as("TTFT of %s: tap %s, aiperf %s", id, t.getTtftMs(), ttft)
                    .isLessThanOrEqualTo(ttft + 0.5);
                ttftGaps.add(ttft - t.getTtftMs());
                itlDiffs.add(Math.abs(t.getItlMs() / itl - 1));
                if (Math.abs(t.getTtftMs() - ttft) <= 2 + 0.02 * ttft) {
                    withinBound++;
                }
                matched++;
            }
            assertThat(matched).isEqualTo(REQUESTS);
            Collections.sort(ttftGaps);
            Collections.sort(itlDiffs);
            assertThat(itlDiffs.get(itlDiffs.size() / 2)).as("median ITL difference").isLessThanOrEqualTo(0.02);
            System.out.printf(Locale.ROOT, "aiperf peer through the tap: %d of %d requests matched; AIPerf's TTFT minus "
                + "the tap's: median %.3f ms, p95 %.3f ms, max %.3f ms; %d of %d within 2 ms + 2 %%; ITL difference "
                + "median %.3f %%, max %.3f %%%n", matched, REQUESTS, ttftGaps.get(ttftGaps.size() / 2),
                ttftGaps.get((int) Math.ceil(0.95 * ttftGaps.size()) - 1), ttftGaps.get(ttftGaps.size() - 1), withinBound,
                matched, 100 * itlDiffs.get(itlDiffs.size() / 2), 100 * itlDiffs.get(itlDiffs.size() - 1));
        }
    }

    private static MappingLoadStats bucket(final SinkService sink, final Deployment d, final int inFlight) {
        for (final MappingLoadStats m : sink.stats().all().values()) {
            if (m.getDeployment().equals(d) && m.getRole() == Role.DECODE
                && m.getInFlight() == Buckets.bucket(inFlight)) {
                return m;
            }
        }
        return null;
    }
}
