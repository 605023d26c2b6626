package dev.slaprof.http;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The names a server answers to, against DNS rebinding: loopback names, the bound address and each
 * {@code --allowed-host} (a single {@code *} accepts any). A request's {@code Host} header must name one of them, an
 * absolute-form target must name the same host, and an {@code Origin}, when sent, must be this server's own.
 */
public final class HostGuard {
    private static final Set<String> LOOPBACK_NAMES = Set.of("localhost", "127.0.0.1", "::1", "[::1]");
    /** A Host header: a DNS name, IPv4 or bracketed IPv6 address, then an optional numeric port; nothing else. */
    private static final Pattern HOST = Pattern.compile("(\\[[0-9a-f:.]+]|[a-z0-9]([a-z0-9-]*[a-z0-9])?"
        + "(\\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*)(:[0-9]{1,5})?");

    private final Set<String> hosts = new LinkedHashSet<>();
    private final boolean anyHost;
    private final boolean loopback;
    private final String scheme;

    /**
     * @param bind         the address the server is bound to
     * @param allowedHosts extra names served ({@code *}: any)
     * @param tls          true when the server speaks HTTPS (the scheme of its own {@code Origin})
     */
    public HostGuard(final InetSocketAddress bind, final List<String> allowedHosts, final boolean tls) {
        this.loopback = isLoopback(bind.getAddress());
        this.scheme = tls ? "https" : "http";
        hosts.addAll(LOOPBACK_NAMES);
        if (!bind.getAddress().isAnyLocalAddress()) {
            hosts.add(bind.getAddress().getHostAddress().toLowerCase(Locale.ROOT));
            hosts.add(bind.getHostString().toLowerCase(Locale.ROOT));
        }
        boolean any = false;
        for (final String h : allowedHosts) {
            if ("*".equals(h.strip())) {
                any = true;
            } else {
                hosts.add(h.strip().toLowerCase(Locale.ROOT));
            }
        }
        this.anyHost = any;
    }

    /** True when the server is bound to a loopback address. */
    public boolean loopback() {
        return loopback;
    }

    /** The names served, for messages. */
    public List<String> hosts() {
        return new ArrayList<>(hosts);
    }

    /**
     * Why a request with these headers is not for this server, or null when it is.
     *
     * @param hostHeader the {@code Host} header
     * @param authority  the request target's authority (absolute form), or null
     */
    public String refuseHost(final String hostHeader, final String authority) {
        final String host = hostName(hostHeader);
        if (!anyHost && (host == null || !hosts.contains(host))) {
            return "Host '" + hostHeader + "' is not served here (allowed: " + String.join(", ", hosts)
                + ", each with an optional numeric port; add one with --allowed-host)";
        }
        if (authority != null && (host == null || !host.equals(hostName(authority)))) {
            return "the request target's host '" + authority + "' does not match the Host header";
        }
        return null;
    }

    /** True when {@code origin} is absent or this server's own ({@code scheme://Host}). */
    public boolean sameOrigin(final String origin, final String hostHeader) {
        return origin == null || origin.equalsIgnoreCase(scheme + "://" + hostHeader);
    }

    /**
     * The host name of a {@code Host} header (or an absolute-form target's authority): exactly a DNS name, an IPv4
     * address or a bracketed IPv6 address, with an optional numeric port; anything else ({@code 127.0.0.1:8377.evil.com},
     * user info, a path) is null, which refuses the request.
     */
    public static String hostName(final String header) {
        if (header == null || header.isBlank()) {
            return null;
        }
        final Matcher m = HOST.matcher(header.strip().toLowerCase(Locale.ROOT));
        return m.matches() ? m.group(1) : null;
    }

    /** True when {@code host} resolves to a loopback address (false when it does not resolve). */
    public static boolean isLoopbackHost(final String host) {
        try {
            return isLoopback(InetAddress.getByName(host));
        } catch (final UnknownHostException e) {
            return false;
        }
    }

    static boolean isLoopback(final InetAddress a) {
        return a != null && a.isLoopbackAddress();
    }
}
