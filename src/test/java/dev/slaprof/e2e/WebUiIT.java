package dev.slaprof.e2e;

import dev.slaprof.dynamo.SafeNames;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.slaprof.schema.InMemorySchemaRegistry;
import dev.slaprof.schema.LatencySamples;
import dev.slaprof.schema.Mappings;
import dev.slaprof.schema.SlaTargets;
import dev.slaprof.schema.Topics;
import dev.slaprof.schema.avro.Backend;
import dev.slaprof.schema.avro.CapacityKey;
import dev.slaprof.schema.avro.CapacitySource;
import dev.slaprof.schema.avro.Deployment;
import dev.slaprof.schema.avro.EngineCapacity;
import dev.slaprof.schema.avro.LatencySample;
import dev.slaprof.schema.avro.Mapping;
import dev.slaprof.schema.avro.Role;
import dev.slaprof.schema.avro.SlaTarget;
import dev.slaprof.schema.avro.SourceKind;
import dev.slaprof.schema.avro.Statistic;
import dev.slaprof.http.AccessPolicy;
import dev.slaprof.http.HttpSurface;
import dev.slaprof.sink.OutputWriter;
import dev.slaprof.sink.SinkService;
import dev.slaprof.topology.SlaprofTopology;
import dev.slaprof.topology.StreamsSettings;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.streams.KafkaStreams;
import org.assertj.core.api.Assertions;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.Keys;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.interactions.Actions;

/**
 * The web UI in real headless Chromium (Debian's chromium and chromedriver, driven by Selenium) against a running
 * pipeline on the real broker: the page loads without console errors, every chart draws data, a new batch of
 * samples changes the chart and the card without a reload, hover links rows and points both ways, clicking a
 * cost row previews its configuration and publishes a pin that the files then reflect, the keyboard reaches tabs
 * and rows, a hostile model name stays text, and a dropped connection is announced and recovered. A screenshot is
 * kept in target/e2e/artifacts/screenshots/. Skipped when chromium is not installed, unless SLAPROF_REQUIRE_BROWSER=1 (as in
 * .ci/run, which installs it).
 */
@ExtendWith(KafkaBrokerExtension.class)
@Timeout(value = 8, unit = TimeUnit.MINUTES)
class WebUiIT {
    private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    private static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String HOSTILE = "<img src=x onerror=\"window.pwned=1\">Qwen";

    @TempDir
    Path dir;

    private final Random random = new Random(7);

    private LatencySample prefill(final Deployment d, final Mapping m, final int isl, final double ttft) {
        return LatencySamples.ok(d, Role.PREFILL, m, LatencySamples.source(SourceKind.BENCHMARK, "ui-it", null), 1,
            isl, 5, System.currentTimeMillis() * 1000, ttft * (1 + 0.02 * random.nextGaussian()), 2.0);
    }

    private LatencySample decode(final Deployment d, final Mapping m, final int n, final int isl, final double itl) {
        return LatencySamples.ok(d, Role.DECODE, m, LatencySamples.source(SourceKind.BENCHMARK, "ui-it", null), n,
            isl, 500, System.currentTimeMillis() * 1000, 30.0, itl * (1 + 0.02 * random.nextGaussian()));
    }

    private void sweep(final KafkaProducer<Deployment, LatencySample> samples, final String topic, final Deployment d) {
        for (int i = 0; i < 4; i++) {
            samples.send(new ProducerRecord<>(topic, d, prefill(d, Mappings.tp(1), 3000, 100)));
            samples.send(new ProducerRecord<>(topic, d, prefill(d, Mappings.tp(2), 3000, 60)));
            samples.send(new ProducerRecord<>(topic, d, prefill(d, Mappings.tp(4), 3000, 40)));
        }
        for (final Mapping m : List.of(Mappings.tp(1), Mappings.tp(2))) {
            for (final int isl : new int[] {100, 1000, 5000, 8000}) {
                samples.send(new ProducerRecord<>(topic, d, prefill(d, m,
                    isl, (10 + isl / 30.0) / m.getGpus())));
            }
            for (final int isl : new int[] {100, 3000, 6000}) {
                for (final int n : new int[] {1, 8, 16, 32}) {
                    samples.send(new ProducerRecord<>(topic, d, decode(d, m, n, isl,
                        (12 + n * 0.5 + isl / 1000.0) / Math.sqrt(m.getGpus()))));
                }
            }
        }
        samples.flush();
    }

    private static Object js(final WebDriver w, final String script, final Object... args) {
        return ((JavascriptExecutor) w).executeScript(script, args);
    }

    private static long number(final WebDriver w, final String expression) {
        final Object v = js(w, "return " + expression + ";");
        return v == null ? -1 : ((Number) v).longValue();
    }

    /** Data items drawn by a chart, read from its live ECharts instance. */
    private static long drawn(final WebDriver w, final String chart) {
        return number(w, "(function(){var c=window.slaprof.charts['" + chart + "']; if(!c) return -1;"
            + " var n=0; c.getOption().series.forEach(function(s){n+=(s.data||[]).length;}); "
            + " return document.querySelector('#chart-" + chart + " canvas') ? n : -2;})()");
    }

    private static void selectTab(final WebDriver w, final String tab) {
        w.findElement(By.id("tab-" + tab)).click();
    }

    private static ChromeDriver browser(final Path profile, final boolean tls) {
        final ChromeOptions o = new ChromeOptions();
        o.setBinary(CHROMIUM.toFile());
        // The test's own self-signed certificate (a production keystore holds a real one).
        o.setAcceptInsecureCerts(tls);
        o.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
            "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update",
            "--disable-sync", "--window-size=1280,800", "--user-data-dir=" + profile);
        final ChromeDriverService service = new ChromeDriverService.Builder()
            .usingDriverExecutable(CHROMEDRIVER.toFile()).usingAnyFreePort().build();
        return new ChromeDriver(service, o);
    }

    /** A PKCS12 keystore with a self-signed certificate for 127.0.0.1 and localhost, made by the JDK's keytool. */
    private static Path keystore(final Path dir) throws Exception {
        final Path ks = dir.resolve("ui-it.p12");
        final Path keytool = Path.of(System.getProperty("java.home"), "bin", "keytool");
        final Process p = new ProcessBuilder(keytool.toString(), "-genkeypair", "-keystore", ks.toString(),
            "-storetype", "PKCS12", "-storepass", KEYSTORE_PASSWORD, "-keypass", KEYSTORE_PASSWORD, "-alias", "slaprof",
            "-keyalg", "EC", "-groupname", "secp256r1", "-dname", "CN=localhost", "-validity", "2",
            "-ext", "san=ip:127.0.0.1,dns:localhost").redirectErrorStream(true).start();
        final String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor()).as(out).isZero();
        return ks;
    }

    private static final String KEYSTORE_PASSWORD = "ui-it-password";

    /** A client trusting exactly the test keystore's certificate. */
    private static HttpClient client(final Path ks) throws Exception {
        if (ks == null) {
            return HttpClient.newHttpClient();
        }
        final KeyStore trust = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(ks)) {
            trust.load(in, KEYSTORE_PASSWORD.toCharArray());
        }
        final TrustManagerFactory tmf = TrustManagerFactory.getInstance(
            TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        final SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(null, tmf.getTrustManagers(), null);
        return HttpClient.newBuilder().sslContext(ctx).build();
    }

    /** The page's same-origin proof for a write sent outside the browser: its Origin and a CSRF token. */
    private static HttpRequest.Builder sameOrigin(final HttpClient http,
                                                                final String base, final URI uri) throws Exception {
        final String csrf = JSON.readTree(http.send(HttpRequest.newBuilder(URI.create(base
            + "/api/session")).build(), HttpResponse.BodyHandlers.ofString()).body())
            .path("csrf_token").asText();
        return HttpRequest.newBuilder(uri).header("Origin", base).header("X-CSRF-Token", csrf);
    }

    @ParameterizedTest(name = "tls={0}")
    @ValueSource(booleans = {false, true})
    void shouldShowLiveChartsAndPublishAPinnedChoice(final boolean tls, final TestBroker broker) throws Exception {
        final boolean installed = Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER);
        if (!installed && "1".equals(System.getenv("SLAPROF_REQUIRE_BROWSER"))) {
            throw new AssertionError("SLAPROF_REQUIRE_BROWSER=1 but chromium or chromedriver is missing: install "
                + "Debian's chromium and chromium-driver");
        }
        Assumptions.assumeTrue(installed, "chromium and chromedriver not installed (apt-get install chromium "
            + "chromium-driver)");
        final String run = UUID.randomUUID().toString().substring(0, 8);
        final Deployment d = new Deployment("Qwen/Qwen3-32B", Backend.VLLM, "0.11.0", "H200-SXM", "ui-it-" + run);
        final Deployment evil = new Deployment(HOSTILE, Backend.VLLM, "0.11.0", "H200-SXM", "ui-it-evil-" + run);
        final Topics topics = broker.ownTopics("web-ui-it", new InMemorySchemaRegistry());
        final Properties streamsProps = StreamsSettings.defaults(broker.clientProps(), topics, "ui-it-" + run,
            Files.createTempDirectory("ui-it-state"));
        final SlaTarget sla = SlaTargets.of("default", 120.0, 30.0, 3000, 500, Statistic.MEAN, 1, 8, 1, false);
        final Path shots = Files.createDirectories(Path.of(System.getProperty("slaprof.artifacts", "target/artifacts"))
            .resolve("screenshots"));
        final Path profile = Files.createTempDirectory("ui-it-chromium");
        final Path ks = tls ? keystore(Files.createTempDirectory("ui-it-tls")) : null;
        final Path password = ks == null ? null : Files.writeString(ks.resolveSibling("password"), KEYSTORE_PASSWORD);
        final HttpSurface.Options httpOptions = new HttpSurface
            .Options(AccessPolicy.Settings.loopback(),
            ks == null ? null : HttpSurface.tls(ks, password));
        final SinkService sink = new SinkService(broker.clientProps(), topics, new OutputWriter(dir), "127.0.0.1",
            0, Map::of, httpOptions);
        boolean sinkOpen = true;
        SinkService restarted = null;
        try (KafkaStreams streams = new KafkaStreams(SlaprofTopology.build(streamsProps, topics, sla,
                 Duration.ofMillis(250)), streamsProps);
             KafkaProducer<Deployment, LatencySample> samples = new KafkaProducer<>(broker.clientProps(),
                 topics.samples().keySerde().serializer(), topics.samples().valueSerde().serializer());
             KafkaProducer<CapacityKey, EngineCapacity> caps = new KafkaProducer<>(broker.clientProps(),
                 topics.capacity().keySerde().serializer(), topics.capacity().valueSerde().serializer())) {
            TestBroker.startAndAwaitTasks(streams);
            for (final Mapping m : List.of(Mappings.tp(1), Mappings.tp(2))) {
                caps.send(new ProducerRecord<>(topics.capacity().name(), new CapacityKey(d, m.getStrategy() + "="
                    + m.getGpus()), new EngineCapacity(d, m, 500_000L * m.getGpus(), CapacitySource.CONFIG, "test",
                    0L, 0))).get();
            }
            sweep(samples, topics.samples().name(), d);
            final String deployment = SafeNames.deployment(d);
            Awaitility.await().atMost(Duration.ofSeconds(60)).until(() -> sink.client().all().keySet().stream()
                .anyMatch(k -> k.getDeployment().equals(d)));

            assertThat(sink.url()).startsWith(tls ? "https://" : "http://");
            if (tls) {
                // HTTPS only: a plain-HTTP request to the same port gets no answer.
                final URI plain = URI.create(sink.url().replace("https://", "http://") + "/api/health");
                Assertions.assertThatThrownBy(() -> HttpClient.newHttpClient()
                    .send(HttpRequest.newBuilder(plain).timeout(Duration.ofSeconds(10)).build(),
                        HttpResponse.BodyHandlers.ofString())).isInstanceOf(IOException.class);
            }
            final ChromeDriver w = browser(profile, tls);
            try {
                w.get(sink.url() + "/");
                // The page picks the first deployment; choose ours by its option value.
                try {
                    Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> number(w, "window.slaprof.renders")
                        >= 1);
                } catch (final ConditionTimeoutException e) {
                    throw new AssertionError("no render; page state: " + js(w, "return JSON.stringify({conn: "
                        + "document.getElementById('conn').textContent, list: window.slaprof.list.length, key: "
                        + "window.slaprof.key, auth: !document.getElementById('auth').hidden, events: "
                        + "window.slaprof.events, failures: window.slaprof.failures, preview: document.getElementById("
                        + "'preview-title').textContent});"), e);
                }
                js(w, "var s=document.getElementById('target'); s.value=arguments[0]; "
                    + "s.dispatchEvent(new Event('change'));", deployment + "\u0000default");
                Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> deployment.equals(js(w,
                    "return window.slaprof.rec && window.slaprof.key.deployment === arguments[0] "
                        + "? window.slaprof.key.deployment : null;", deployment)));
                Awaitility.await().atMost(Duration.ofSeconds(10))
                    .until(() -> w.findElement(By.id("conn")).getText().equals("live"));
                js(w, "window.__sameDocument = 42;");
                assertThat(w.findElement(By.id("pick-prefill")).getText()).contains("TP=1").contains("meets SLA")
                    .contains("samples").contains("95% CI");
                assertThat(w.findElement(By.id("card-meta")).getText()).contains("Data MEASURED")
                    .contains("newest sample");
                // One answer first: the Dynamo 1.x picking mode's deployment (engines, replicas, GPUs, budget) leads
                // the card, above the per-role picks, which are labelled as such.
                assertThat(w.findElement(By.id("mode-pick")).getText()).startsWith("Recommended deployment")
                    .contains("1 x ").contains("GPUs (no budget)").contains("tokens/s/GPU")
                    .contains("Dynamo 1.x default mode");
                assertThat(w.findElement(By.id("roles-title")).getText()).startsWith("Dynamo's per-role picks");
                assertThat((Boolean) js(w, "var a=document.getElementById('mode-pick'), b=document.getElementById("
                    + "'pick-prefill'); return !!(a.compareDocumentPosition(b) & Node.DOCUMENT_POSITION_FOLLOWING);"))
                    .as("the deployment comes before the per-role picks").isTrue();
                assertThat(w.findElement(By.id("card-meta")).getText()).doesNotContain(" 1 samples");

                // Every chart has drawn data, tab by tab.
                for (final String[] tab : new String[][] {{"prefill", "prefill"}, {"decode", "decode"},
                    {"cost", "cost"}, {"interp", "ttft-isl"}, {"interp", "itl-heat"}, {"interp", "thpt-heat"}}) {
                    selectTab(w, tab[0]);
                    Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> drawn(w, tab[1]) > 0);
                }
                assertThat(drawn(w, "itl-heat")).isEqualTo(100 * 100);
                // Extrapolation never passes for measurement: the cells outside the measured points are their own
                // series, named in the legend, and the note under the maps counts them.
                assertThat(js(w, "return window.slaprof.charts['itl-heat'].getOption().series.map(function(s){"
                    + "return s.name;});")).asList().contains("outside the measured points (extrapolated)");
                assertThat(js(w, "return window.slaprof.charts['itl-heat'].getOption().legend[0].data;")).asList()
                    .contains("outside the measured points (extrapolated)");
                assertThat(w.findElement(By.id("interp-extrapolated")).getText())
                    .matches("Pale cells \\(legend: \"outside the measured points \\(extrapolated\\)\"\\) are [1-9]"
                        + "[0-9]* of 10000 grid cells outside the measured points: filled from the nearest measured "
                        + "value, not measured\\.");
                for (final String tab : new String[] {"prefill", "decode", "cost", "interp", "stats"}) {
                    selectTab(w, tab);
                    Files.write(shots.resolve("web-ui-tab-" + tab + (tls ? "-tls" : "") + ".png"),
                        w.getScreenshotAs(OutputType.BYTES));
                }
                // A tab is addressable by the URL's hash, and selecting one shows in the hash.
                assertThat(js(w, "return window.location.hash;")).isEqualTo("#statistics");
                for (final String[] h : new String[][] {{"#decode", "decode"}, {"#interpolation", "interp"},
                    {"#cost", "cost"}}) {
                    js(w, "window.location.hash = arguments[0];", h[0]);
                    Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> "true".equals(w.findElement(
                        By.id("tab-" + h[1])).getAttribute("aria-selected")));
                    assertThat(w.findElement(By.id("panel-" + h[1])).isDisplayed()).isTrue();
                }
                selectTab(w, "stats");
                assertThat(w.findElements(By.cssSelector("#table-stats tbody tr")).size()).isGreaterThan(20);
                assertThat(js(w, "return window.slaprofErrors;")).asList().isEmpty();

                // Hover: a table row highlights its point (tooltip shows) and a point highlights its row.
                selectTab(w, "prefill");
                final WebElement row = w.findElements(By.cssSelector("#table-prefill tbody tr")).get(1);
                new Actions(w).moveToElement(row).perform();
                assertThat(row.getAttribute("class")).contains("hl");
                Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> (Boolean) js(w,
                    "return Array.from(document.querySelectorAll('#chart-prefill div'))"
                        + ".some(function(e){return e.style.display!=='none' && e.textContent.indexOf('TP=2')>=0 "
                        + "&& e.textContent.indexOf('tokens/s/GPU')>=0;});"));
                @SuppressWarnings("unchecked")
                final List<Number> px = (List<Number>) js(w, "var c=window.slaprof.charts.prefill; "
                    + "var d=c.getOption().series[0].data[2]; var p=c.convertToPixel({seriesIndex:0}, d); "
                    + "var r=document.getElementById('chart-prefill').getBoundingClientRect(); "
                    + "return [p[0]-r.width/2, p[1]-r.height/2];");
                new Actions(w).moveToElement(w.findElement(By.id("chart-prefill")), px.get(0).intValue(),
                    px.get(1).intValue()).perform();
                Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> w.findElements(
                    By.cssSelector("#table-prefill tbody tr")).get(2).getAttribute("class").contains("hl"));

                // New samples change the pick: the chart and the card follow without a reload.
                final long renders = number(w, "window.slaprof.renders");
                final String before = (String) js(w, "return JSON.stringify(window.slaprof.charts.prefill"
                    + ".getOption().series[0].data);");
                for (int i = 0; i < 30; i++) {
                    samples.send(new ProducerRecord<>(topics.samples().name(), d, prefill(d, Mappings.tp(2), 3000,
                        30)));
                }
                samples.flush();
                Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> w.findElement(By.id("pick-prefill"))
                    .getText().contains("TP=2"));
                assertThat(number(w, "window.slaprof.renders")).isGreaterThan(renders);
                assertThat(number(w, "window.__sameDocument")).isEqualTo(42);
                assertThat(js(w, "return JSON.stringify(window.slaprof.charts.prefill.getOption().series[0].data);"))
                    .isNotEqualTo(before);

                // A cost row: its preview, a pin in the selections topic, files that follow, the card marked pinned.
                selectTab(w, "cost");
                // The table and the snapshot it was drawn from agree before a row is read (a new snapshot may be
                // arriving while the tab opens).
                Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> (Boolean) js(w, "var r=window.slaprof.rec;"
                    + " return r && r.cost_table.length > 0 && document.querySelectorAll('#table-cost tbody tr')"
                    + ".length === r.cost_table.length;"));
                final int last = w.findElements(By.cssSelector("#table-cost tbody tr")).size() - 1;
                assertThat(last).isGreaterThanOrEqualTo(0);
                @SuppressWarnings("unchecked")
                final List<Object> choice = (List<Object>) js(w, "var r=window.slaprof.rec, c=r.cost_table[" + last
                    + "]; return [r.prefill_points[c.prefill_index].label, r.decode_points[c.decode_index].label, "
                    + "r.decode_points[c.decode_index].in_flight];");
                w.findElements(By.cssSelector("#table-cost tbody tr")).get(last).click();
                Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> w.findElement(By.id("preview-yaml"))
                    .getText().contains("kind: DynamoGraphDeployment"));
                assertThat(w.findElement(By.id("preview-title")).getText()).startsWith("Pinned: prefill "
                    + choice.get(0));
                Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> w.findElement(By.id("pin-state"))
                    .getText().startsWith("pinned"));
                assertThat(w.findElement(By.id("unpin")).isDisplayed()).isTrue();
                final Path file = dir.resolve(deployment).resolve("default").resolve("recommendation.json");
                Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> {
                    final JsonNode rec = JSON.readTree(file.toFile());
                    return rec.path("pinned").path("prefill_label").asText().equals(choice.get(0))
                        && rec.path("prefill").path("point").path("label").asText().equals(choice.get(0))
                        && rec.path("decode").path("point").path("label").asText().equals(choice.get(1))
                        && rec.path("decode").path("point").path("in_flight").asLong()
                            == ((Number) choice.get(2)).longValue();
                });
                Files.write(shots.resolve("web-ui-cost-pinned.png"), w.getScreenshotAs(OutputType.BYTES));

                // The pin endpoint refuses what a page could not have sent, and the asset route serves no path.
                final var http = client(ks);
                final URI pinUri = URI.create(sink.url() + "/api/recommendations/" + deployment + "/default/pin");
                // Without the page's same-origin proof (and no token file) a write is refused outright.
                assertThat(http.send(HttpRequest.newBuilder(pinUri).header("Content-Type",
                    "application/json").POST(HttpRequest.BodyPublishers.ofString(
                        "{\"prefill_label\":\"TP=1\"}")).build(), HttpResponse.BodyHandlers.ofString())
                    .statusCode()).isEqualTo(403);
                assertThat(http.send(sameOrigin(http, sink.url(), pinUri).header("Content-Type", "text/plain")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"prefill_label\":\"TP=1\"}")).build(),
                    HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(415);
                final var unknown = http.send(sameOrigin(http, sink.url(), pinUri)
                    .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers
                        .ofString("{\"prefill_label\":\"TP=64\"}")).build(),
                    HttpResponse.BodyHandlers.ofString());
                assertThat(unknown.statusCode()).isEqualTo(404);
                assertThat(unknown.body()).contains("no point TP=64");
                assertThat(http.send(HttpRequest.newBuilder(URI.create(sink.url()
                    + "/ui/..%2Fapp.js")).build(), HttpResponse.BodyHandlers.ofString()).statusCode())
                    .isEqualTo(404);

                // Keyboard: arrow keys move between tabs, Tab reaches a row, Enter pins it.
                w.findElement(By.id("tab-prefill")).click();
                w.switchTo().activeElement().sendKeys(Keys.ARROW_RIGHT);
                assertThat(w.switchTo().activeElement().getAttribute("id")).isEqualTo("tab-decode");
                assertThat(w.findElement(By.id("panel-decode")).isDisplayed()).isTrue();
                w.switchTo().activeElement().sendKeys(Keys.TAB);
                final WebElement focused = w.switchTo().activeElement();
                assertThat(focused.getTagName()).isEqualToIgnoringCase("tr");
                focused.sendKeys(Keys.ENTER);
                Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> "TP=1".equals(js(w,
                    "return window.slaprof.lastPin && window.slaprof.lastPin.decode_label;")));

                // Unpin: the automatic choice returns.
                w.findElement(By.id("unpin")).click();
                Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> w.findElement(By.id("pin-state"))
                    .getText().startsWith("automatic"));
                assertThat(js(w, "return window.slaprofErrors;")).asList().isEmpty();

                // A hostile model name is shown as text and runs nothing.
                sweep(samples, topics.samples().name(), evil);
                Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> (Boolean) js(w,
                    "var h=arguments[0]; return Array.from(document.querySelectorAll('#target option'))"
                        + ".some(function(o){return o.textContent.indexOf(h)>=0;});", HOSTILE));
                js(w, "var s=document.getElementById('target'); s.value=arguments[0]; "
                    + "s.dispatchEvent(new Event('change'));", SafeNames.deployment(evil) + "\u0000default");
                Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> w.findElement(By.id("card-meta"))
                    .getText().contains(HOSTILE));
                assertThat(number(w, "document.querySelectorAll('img').length")).isZero();
                assertThat(js(w, "return window.pwned === undefined;")).isEqualTo(true);
                Files.write(shots.resolve("web-ui.png"), w.getScreenshotAs(OutputType.BYTES));

                // The connection drops (sinks stopped) and comes back (restarted on the same port).
                final int port = URI.create(sink.url()).getPort();
                sink.close();
                sinkOpen = false;
                Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> w.findElement(By.id("conn")).getText()
                    .startsWith("connection lost"));
                restarted = new SinkService(broker.clientProps(), topics, new OutputWriter(dir), "127.0.0.1", port,
                    Map::of, httpOptions);
                Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> w.findElement(By.id("conn")).getText()
                    .equals("live"));
                assertThat(number(w, "window.__sameDocument")).isEqualTo(42);

                // A tab opened directly by its URL: the page loads with that tab selected.
                for (final String[] h : new String[][] {{"#decode", "decode"}, {"#interpolation", "interp"}}) {
                    w.get(restarted.url() + "/" + h[0]);
                    Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> "true".equals(w.findElement(
                        By.id("tab-" + h[1])).getAttribute("aria-selected")));
                    assertThat(w.findElement(By.id("panel-" + h[1])).isDisplayed()).isTrue();
                    assertThat(w.findElement(By.id("panel-prefill")).isDisplayed()).isFalse();
                }
            } finally {
                w.quit();
            }
        } finally {
            if (sinkOpen) {
                sink.close();
            }
            if (restarted != null) {
                restarted.close();
            }
        }
        assertThat(new File(shots.toFile(), "web-ui.png")).isFile();
    }
}
