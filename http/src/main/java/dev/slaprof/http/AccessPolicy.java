package dev.slaprof.http;

import com.sun.net.httpserver.Filter;
import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Who may do what on one of slaprof's HTTP surfaces (web UI and REST API, schema registry), as a filter in front of
 * every handler:
 * <ul>
 *   <li>the request's {@code Host} must be one the server serves (loopback names, the bound address, each
 *   {@code --allowed-host}), which defeats DNS rebinding; else 403;</li>
 *   <li>a foreign {@code Origin} is refused (403) on every request;</li>
 *   <li>a state-changing request (anything but GET and HEAD) needs {@code Authorization: Bearer <token>} when a
 *   token file is configured (401 without or with a wrong one); without a token file (loopback, or the explicit
 *   {@code --insecure-no-auth}) it needs a same-origin proof instead on a surface with pages (the web UI): a
 *   matching {@code Origin} and the per-page CSRF token the page was served with ({@code X-CSRF-Token}), else 403;
 *   a surface without pages (the registry) takes it from a client that is no browser page (no {@code Origin});</li>
 *   <li>reads are open on loopback; off loopback they need a token, unless {@code --public-read} (the UI's static
 *   files hold no data and are always served).</li>
 * </ul>
 * Refusals have no effect, are counted ({@link #counters}) and logged without the token. The names served are a
 * {@link HostGuard}'s, the page tokens a {@link CsrfTokens}'; the decision itself is {@link #decide}, a pure function of
 * the request's method, path and headers.
 */
public final class AccessPolicy extends Filter {
    /**
     * Who made the request being handled on this thread (token name, or the same-origin page; null for an anonymous
     * read). A thread-local, not an exchange attribute: the JDK server keeps exchange attributes in the context,
     * shared by concurrent requests.
     */
    private static final ThreadLocal<String> PRINCIPAL = new ThreadLocal<>();
    /** Header carrying the per-page CSRF token. */
    public static final String CSRF_HEADER = "X-CSRF-Token";
    /** Principal of a write proven same-origin by the page's CSRF token, without an API token. */
    public static final String SAME_ORIGIN_PAGE = "web-ui";

    private static final Logger LOG = LoggerFactory.getLogger(AccessPolicy.class);

    /**
     * What the operator configured.
     *
     * @param tokens         the API tokens, or null for none
     * @param publicRead     reads need no token off loopback
     * @param allowedHosts   extra {@code Host} names served (a single {@code *} accepts any)
     * @param insecureNoAuth accept a non-loopback bind without tokens (writes then need the same-origin proof only)
     */
    public record Settings(ApiTokens tokens, boolean publicRead, List<String> allowedHosts, boolean insecureNoAuth) {
        /** Loopback defaults: no tokens, reads open, loopback names only. */
        public static Settings loopback() {
            return new Settings(null, false, List.of(), false);
        }
    }

    /** What the policy reads of a request: its method, path and the headers that matter (each null when absent). */
    public record Request(String method, String path, String host, String authority, String origin,
                          String authorization, String csrfToken) {
    }

    /** Why a request was refused, each with its own counter. */
    public enum Refusal { HOST, ORIGIN, UNAUTHORIZED, CSRF }

    /**
     * The policy's answer: allowed (refusal null) with the principal the handler sees, or refused with the HTTP status
     * and the reason sent back.
     */
    public record Decision(Refusal refusal, int status, String reason, String principal) {
        static Decision allow(final String principal) {
            return new Decision(null, 200, null, principal);
        }

        static Decision refuse(final Refusal why, final int status, final String reason) {
            return new Decision(why, status, reason, null);
        }

        /** True when the request may go on to the handler. */
        public boolean allowed() {
            return refusal == null;
        }
    }

    private final Settings settings;
    private final boolean pages;
    private final HostGuard guard;
    private final CsrfTokens csrf = new CsrfTokens();
    private final Map<Refusal, AtomicLong> refused = new EnumMap<>(Refusal.class);

    /**
     * @param bind  the address the server is bound to
     * @param tls   true when the server speaks HTTPS (the expected {@code Origin} scheme)
     * @param pages true when the server serves pages that write (the web UI): without a token file, a write then
     *              needs the page's CSRF token; a surface without pages (the registry) takes a write without a
     *              token from a client that is not a browser page (no {@code Origin}), a foreign one being refused
     */
    public AccessPolicy(final Settings settings, final InetSocketAddress bind, final boolean tls,
                        final boolean pages) {
        this.settings = settings;
        this.pages = pages;
        this.guard = new HostGuard(bind, settings.allowedHosts(), tls);
        for (final Refusal r : Refusal.values()) {
            refused.put(r, new AtomicLong());
        }
    }

    /**
     * Refuses a configuration that would leave writes open to a network: a non-loopback bind without a token file,
     * unless {@code --insecure-no-auth}. Safe to call early (before any Kafka connection) and again when the server
     * binds; the server warns about an accepted open bind once, when it starts ({@link HttpSurface#create}).
     *
     * @return true when the bind is off loopback without credentials, accepted by {@code --insecure-no-auth}
     * @throws IllegalArgumentException with one line saying why and how to fix it
     */
    public static boolean checkBind(final String host, final Settings settings, final String surface) {
        final boolean lo;
        try {
            lo = HostGuard.isLoopback(InetAddress.getByName(host));
        } catch (final UnknownHostException e) {
            throw new IllegalArgumentException("cannot resolve the bind address " + host + " of the " + surface);
        }
        if (lo || settings.tokens() != null) {
            return false;
        }
        if (settings.insecureNoAuth()) {
            return true;
        }
        throw new IllegalArgumentException("refusing to serve the " + surface + " on " + host + " (not loopback) "
            + "without credentials: give --api-token-file FILE (lines 'TOKEN NAME'; or " + ApiTokens.ENV
            + "), or --insecure-no-auth to accept open access knowingly");
    }

    @Override
    public String description() {
        return "slaprof access policy (Host, Origin, bearer tokens, CSRF)";
    }

    @Override
    public void doFilter(final HttpExchange ex, final Chain chain) throws IOException {
        final Decision d = decide(new Request(ex.getRequestMethod(), ex.getRequestURI().getPath(),
            ex.getRequestHeaders().getFirst("Host"), ex.getRequestURI().getRawAuthority(),
            ex.getRequestHeaders().getFirst("Origin"), ex.getRequestHeaders().getFirst("Authorization"),
            ex.getRequestHeaders().getFirst(CSRF_HEADER)));
        if (!d.allowed()) {
            refused.get(d.refusal()).incrementAndGet();
            refuse(ex, d.status(), d.reason());
            return;
        }
        PRINCIPAL.set(d.principal());
        try {
            chain.doFilter(ex);
        } finally {
            PRINCIPAL.remove();
        }
    }

    /** The policy's answer to one request, in the order of the class comment; no side effect. */
    public Decision decide(final Request r) {
        final String wrongHost = guard.refuseHost(r.host(), r.authority());
        if (wrongHost != null) {
            return Decision.refuse(Refusal.HOST, 403, wrongHost);
        }
        if (!guard.sameOrigin(r.origin(), r.host())) {
            return Decision.refuse(Refusal.ORIGIN, 403, "cross-origin request from " + r.origin() + " refused");
        }
        final ApiTokens tokens = settings.tokens();
        String who = null;
        if (r.authorization() != null) {
            final String auth = r.authorization();
            final Optional<String> name = auth.regionMatches(true, 0, "Bearer ", 0, 7) && tokens != null
                ? tokens.holder(auth.substring(7).strip()) : Optional.empty();
            if (name.isEmpty()) {
                return Decision.refuse(Refusal.UNAUTHORIZED, 401, tokens == null
                    ? "this server has no API tokens configured"
                    : "the bearer token is not (or no longer) in " + tokens.file().getFileName());
            }
            who = name.get();
        }
        final String method = r.method().toUpperCase(Locale.ROOT);
        final boolean write = !"GET".equals(method) && !"HEAD".equals(method);
        if (write && who == null) {
            if (tokens != null) {
                return Decision.refuse(Refusal.UNAUTHORIZED, 401,
                    "a state-changing request needs Authorization: Bearer <token>");
            }
            if (pages && (r.origin() == null || !csrf.valid(r.csrfToken()))) {
                return Decision.refuse(Refusal.CSRF, 403, "a state-changing request needs the page's CSRF token ("
                    + CSRF_HEADER + ", from GET /api/session) and a matching Origin, or an API token");
            }
            who = pages ? SAME_ORIGIN_PAGE : null;
        }
        if (!write && who == null && readsNeedToken() && !staticFile(r.path())) {
            return Decision.refuse(Refusal.UNAUTHORIZED, 401,
                "reads off loopback need Authorization: Bearer <token> (or start with --public-read)");
        }
        return Decision.allow(who);
    }

    /** Who made the request the calling handler serves (see {@link #PRINCIPAL}), or null. */
    public static String principal() {
        return PRINCIPAL.get();
    }

    /** The UI's static files: no data in them, and a browser cannot send a bearer header for a navigation. */
    private static boolean staticFile(final String path) {
        return "/".equals(path) || path.startsWith("/ui/") || path.startsWith("/webjars/");
    }

    private void refuse(final HttpExchange ex, final int status, final String message) throws IOException {
        LOG.info("refused {} {} from {}: {} {}", ex.getRequestMethod(), ex.getRequestURI().getPath(),
            ex.getRemoteAddress(), status, message);
        try (ex) {
            ex.getRequestBody().readNBytes(64 * 1024);
            if (status == 401) {
                ex.getResponseHeaders().set("WWW-Authenticate", "Bearer realm=\"slaprof\"");
            }
            final String body = "{\"error\":" + quote(message) + "}";
            LoopbackHttp.send(ex, status, "application/json", body.getBytes(StandardCharsets.UTF_8));
        }
    }

    private static String quote(final String s) {
        final StringBuilder b = new StringBuilder("\"");
        for (final char c : s.toCharArray()) {
            if (c == '"' || c == '\\') {
                b.append('\\').append(c);
            } else if (c < 0x20) {
                b.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
            } else {
                b.append(c);
            }
        }
        return b.append('"').toString();
    }

    /** A fresh per-page CSRF token ({@link CsrfTokens#issue}). */
    public String issueCsrf() {
        return csrf.issue();
    }

    /** True when reads need a token (off loopback, tokens configured, no --public-read). */
    public boolean readsNeedToken() {
        return !guard.loopback() && !settings.publicRead() && settings.tokens() != null;
    }

    /** True when writes need a token (a token file is configured). */
    public boolean writesNeedToken() {
        return settings.tokens() != null;
    }

    /** Refusal counters for {@code /metrics}, Prometheus names to values. */
    public Map<String, Double> counters() {
        final Map<String, Double> m = new LinkedHashMap<>();
        m.put("slaprof_http_refused_unauthorized_total", (double) refused.get(Refusal.UNAUTHORIZED).get());
        m.put("slaprof_http_refused_host_total", (double) refused.get(Refusal.HOST).get());
        m.put("slaprof_http_refused_origin_total", (double) refused.get(Refusal.ORIGIN).get());
        m.put("slaprof_http_refused_csrf_total", (double) refused.get(Refusal.CSRF).get());
        if (settings.tokens() != null) {
            final long[] r = settings.tokens().reloadCounts();
            m.put("slaprof_api_tokens", (double) settings.tokens().size());
            m.put("slaprof_api_token_file_reloads_total", (double) r[0]);
            m.put("slaprof_api_token_file_reload_failures_total", (double) r[1]);
        }
        return m;
    }

    /** The names of the hosts served (for messages). */
    public List<String> hosts() {
        return guard.hosts();
    }
}
