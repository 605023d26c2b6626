package dev.slaprof.sink;

import com.sun.net.httpserver.HttpExchange;
import dev.slaprof.http.LoopbackHttp;
import dev.slaprof.http.AccessPolicy;
import dev.slaprof.http.HttpSurface;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The live web UI's static side: the page and its script and style from the jar ({@code dev/slaprof/ui/}), ECharts
 * from its WebJar (no CDN; works offline), and the server-sent event stream at {@code /api/events}. Everything is
 * served with a Content-Security-Policy that allows scripts from this origin only, so even a value that escaped
 * escaping could not run.
 */
final class WebUi {
    /** The ECharts WebJar version on the classpath (org.webjars.npm:echarts). */
    static final String ECHARTS_VERSION = "5.3.1";
    static final String ECHARTS_RESOURCE = "META-INF/resources/webjars/echarts/" + ECHARTS_VERSION
        + "/dist/echarts.min.js";
    private static final String UI_RESOURCES = "dev/slaprof/ui/";
    private static final Pattern FILE = Pattern.compile("[a-z0-9][a-z0-9.-]{0,63}");
    private static final String CSP = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
        + "img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'";
    private static final Map<String, String> TYPES = Map.of("html", "text/html; charset=utf-8",
        "js", "text/javascript; charset=utf-8", "css", "text/css; charset=utf-8", "svg", "image/svg+xml");

    private final LiveEvents events;

    private final AccessPolicy policy;

    WebUi(final HttpSurface surface, final LiveEvents events) {
        this.events = events;
        this.policy = surface.policy();
        surface.context("/", this::page);
        surface.context("/ui/", this::asset);
        surface.context("/webjars/echarts.min.js", ex -> resource(ex, ECHARTS_RESOURCE, "js"));
        surface.context("/api/events", this::events);
    }

    /** The page, with a CSRF token of its own in {@code <meta name="csrf-token">} (its writes carry it). */
    private void page(final HttpExchange ex) throws IOException {
        if (!ex.getRequestURI().getPath().equals("/")) {
            notFound(ex);
            return;
        }
        try (ex; InputStream in = WebUi.class.getClassLoader().getResourceAsStream(UI_RESOURCES + "index.html")) {
            final String html = new String(in.readAllBytes(), StandardCharsets.UTF_8).replace(CSRF_PLACEHOLDER,
                policy.issueCsrf());
            headers(ex);
            LoopbackHttp.send(ex, 200, TYPES.get("html"), html.getBytes(StandardCharsets.UTF_8));
        }
    }

    private static final String CSRF_PLACEHOLDER = "@CSRF_TOKEN@";

    private static void headers(final HttpExchange ex) {
        ex.getResponseHeaders().set("Content-Security-Policy", CSP);
        ex.getResponseHeaders().set("X-Content-Type-Options", "nosniff");
        ex.getResponseHeaders().set("Cache-Control", "no-cache");
        ex.getResponseHeaders().set("Referrer-Policy", "no-referrer");
    }

    private void asset(final HttpExchange ex) throws IOException {
        final String name = ex.getRequestURI().getPath().substring("/ui/".length());
        final int dot = name.lastIndexOf('.');
        if (!FILE.matcher(name).matches() || dot < 0 || !TYPES.containsKey(name.substring(dot + 1))) {
            notFound(ex);
            return;
        }
        resource(ex, UI_RESOURCES + name, name.substring(dot + 1));
    }

    private void events(final HttpExchange ex) throws IOException {
        if (!"GET".equals(ex.getRequestMethod())) {
            LoopbackHttp.send(ex, 405, "text/plain", "only GET".getBytes(StandardCharsets.UTF_8));
            ex.close();
            return;
        }
        events.open(ex);
    }

    private static void resource(final HttpExchange ex, final String path, final String ext) throws IOException {
        try (InputStream in = WebUi.class.getClassLoader().getResourceAsStream(path)) {
            if (in == null) {
                notFound(ex);
                return;
            }
            headers(ex);
            LoopbackHttp.send(ex, 200, TYPES.get(ext), in.readAllBytes());
        } finally {
            ex.close();
        }
    }

    private static void notFound(final HttpExchange ex) throws IOException {
        LoopbackHttp.send(ex, 404, "text/plain; charset=utf-8", "not found".getBytes(StandardCharsets.UTF_8));
        ex.close();
    }
}
