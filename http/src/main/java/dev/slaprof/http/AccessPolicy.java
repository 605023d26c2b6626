package dev.slaprof.http;

import com.sun.net.httpserver.Filter;
import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
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
 * Refusals have no effect, are counted ({@link #counters}) and logged without the token.
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
    private static final Set<String> LOOPBACK_NAMES = Set.of("localhost", "127.0.0.1", "::1", "[::1]");
    /** A Host header: a DNS name, IPv4 or bracketed IPv6 address, then an optional numeric port; nothing else. */
    private static final Pattern HOST = Pattern.compile("(\\[[0-9a-f:.]+]|[a-z0-9]([a-z0-9-]*[a-z0-9])?"
        + "(\\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*)(:[0-9]{1,5})?");

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

    private final Settings settings;
    private final boolean pages;
    private final boolean loopback;
    private final Set<String> hosts = new LinkedHashSet<>();
    private final boolean anyHost;
    private final String scheme;
    private final byte[] csrfKey = new byte[32];
    private final SecureRandom random = new SecureRandom();
    private final AtomicLong unauthorized = new AtomicLong();
    private final AtomicLong forbiddenHost = new AtomicLong();
    private final AtomicLong forbiddenOrigin = new AtomicLong();
    private final AtomicLong forbiddenCsrf = new AtomicLong();

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
        this.loopback = isLoopback(bind.getAddress());
        this.scheme = tls ? "https" : "http";
        random.nextBytes(csrfKey);
        hosts.addAll(LOOPBACK_NAMES);
        if (!bind.getAddress().isAnyLocalAddress()) {
            hosts.add(bind.getAddress().getHostAddress().toLowerCase(Locale.ROOT));
            hosts.add(bind.getHostString().toLowerCase(Locale.ROOT));
        }
        boolean any = false;
        for (final String h : settings.allowedHosts()) {
            if ("*".equals(h.strip())) {
                any = true;
            } else {
                hosts.add(h.strip().toLowerCase(Locale.ROOT));
            }
        }
        this.anyHost = any;
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
            lo = isLoopback(InetAddress.getByName(host));
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

    private static boolean isLoopback(final InetAddress a) {
        return a != null && a.isLoopbackAddress();
    }

    /** True when {@code host} resolves to a loopback address (false when it does not resolve). */
    public static boolean isLoopbackHost(final String host) {
        try {
            return isLoopback(InetAddress.getByName(host));
        } catch (final UnknownHostException e) {
            return false;
        }
    }

    @Override
    public String description() {
        return "slaprof access policy (Host, Origin, bearer tokens, CSRF)";
    }

    @Override
    public void doFilter(final HttpExchange ex, final Chain chain) throws IOException {
        final String host = hostName(ex.getRequestHeaders().getFirst("Host"));
        if (!anyHost && (host == null || !hosts.contains(host))) {
            forbiddenHost.incrementAndGet();
            refuse(ex, 403, "Host '" + ex.getRequestHeaders().getFirst("Host") + "' is not served here (allowed: "
                + String.join(", ", hosts) + ", each with an optional numeric port; add one with --allowed-host)");
            return;
        }
        // An absolute-form target (GET http://name/path) must name the same host as the Host header.
        final String authority = ex.getRequestURI().getRawAuthority();
        if (authority != null && (host == null || !host.equals(hostName(authority)))) {
            forbiddenHost.incrementAndGet();
            refuse(ex, 403, "the request target's host '" + authority + "' does not match the Host header");
            return;
        }
        final String origin = ex.getRequestHeaders().getFirst("Origin");
        if (origin != null && !origin.equalsIgnoreCase(scheme + "://" + ex.getRequestHeaders().getFirst("Host"))) {
            forbiddenOrigin.incrementAndGet();
            refuse(ex, 403, "cross-origin request from " + origin + " refused");
            return;
        }
        final String auth = ex.getRequestHeaders().getFirst("Authorization");
        String who = null;
        if (auth != null) {
            final Optional<String> name = auth.regionMatches(true, 0, "Bearer ", 0, 7) && settings.tokens() != null
                ? settings.tokens().holder(auth.substring(7).strip()) : Optional.empty();
            if (name.isEmpty()) {
                unauthorized.incrementAndGet();
                refuse(ex, 401, settings.tokens() == null ? "this server has no API tokens configured"
                    : "the bearer token is not (or no longer) in " + settings.tokens().file().getFileName());
                return;
            }
            who = name.get();
        }
        final String method = ex.getRequestMethod().toUpperCase(Locale.ROOT);
        final boolean write = !"GET".equals(method) && !"HEAD".equals(method);
        if (write && who == null) {
            if (settings.tokens() != null) {
                unauthorized.incrementAndGet();
                refuse(ex, 401, "a state-changing request needs Authorization: Bearer <token>");
                return;
            }
            if (pages && (origin == null || !validCsrf(ex.getRequestHeaders().getFirst(CSRF_HEADER)))) {
                forbiddenCsrf.incrementAndGet();
                refuse(ex, 403, "a state-changing request needs the page's CSRF token (" + CSRF_HEADER + ", from "
                    + "GET /api/session) and a matching Origin, or an API token");
                return;
            }
            who = pages ? SAME_ORIGIN_PAGE : null;
        }
        if (!write && who == null && !loopback && !settings.publicRead() && settings.tokens() != null
            && !staticFile(ex.getRequestURI().getPath())) {
            unauthorized.incrementAndGet();
            refuse(ex, 401, "reads off loopback need Authorization: Bearer <token> (or start with --public-read)");
            return;
        }
        PRINCIPAL.set(who);
        try {
            chain.doFilter(ex);
        } finally {
            PRINCIPAL.remove();
        }
    }

    /** Who made the request the calling handler serves (see {@link #PRINCIPAL}), or null. */
    public static String principal() {
        return PRINCIPAL.get();
    }

    /** The UI's static files: no data in them, and a browser cannot send a bearer header for a navigation. */
    private static boolean staticFile(final String path) {
        return "/".equals(path) || path.startsWith("/ui/") || path.startsWith("/webjars/");
    }

    /**
     * The host name of a {@code Host} header (or an absolute-form target's authority): exactly a DNS name, an IPv4
     * address or a bracketed IPv6 address, with an optional numeric port; anything else ({@code 127.0.0.1:8377.evil.com},
     * user info, a path) is null, which refuses the request.
     */
    static String hostName(final String header) {
        if (header == null || header.isBlank()) {
            return null;
        }
        final Matcher m = HOST.matcher(header.strip().toLowerCase(Locale.ROOT));
        return m.matches() ? m.group(1) : null;
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

    /** A fresh per-page CSRF token: a random nonce and its HMAC under this server's key (nothing to store). */
    public String issueCsrf() {
        final byte[] nonce = new byte[16];
        random.nextBytes(nonce);
        final Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
        return b64.encodeToString(nonce) + "." + b64.encodeToString(mac(nonce));
    }

    boolean validCsrf(final String token) {
        if (token == null) {
            return false;
        }
        final int dot = token.indexOf('.');
        if (dot <= 0) {
            return false;
        }
        try {
            final Base64.Decoder b64 = Base64.getUrlDecoder();
            return MessageDigest.isEqual(mac(b64.decode(token.substring(0, dot))), b64.decode(token.substring(dot + 1)));
        } catch (final IllegalArgumentException e) {
            return false;
        }
    }

    private byte[] mac(final byte[] nonce) {
        try {
            final Mac m = Mac.getInstance("HmacSHA256");
            m.init(new SecretKeySpec(csrfKey, "HmacSHA256"));
            return m.doFinal(nonce);
        } catch (final GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** True when reads need a token (off loopback, tokens configured, no --public-read). */
    public boolean readsNeedToken() {
        return !loopback && !settings.publicRead() && settings.tokens() != null;
    }

    /** True when writes need a token (a token file is configured). */
    public boolean writesNeedToken() {
        return settings.tokens() != null;
    }

    /** Refusal counters for {@code /metrics}, Prometheus names to values. */
    public Map<String, Double> counters() {
        final Map<String, Double> m = new LinkedHashMap<>();
        m.put("slaprof_http_refused_unauthorized_total", (double) unauthorized.get());
        m.put("slaprof_http_refused_host_total", (double) forbiddenHost.get());
        m.put("slaprof_http_refused_origin_total", (double) forbiddenOrigin.get());
        m.put("slaprof_http_refused_csrf_total", (double) forbiddenCsrf.get());
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
        return new ArrayList<>(hosts);
    }
}
