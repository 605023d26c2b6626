package dev.slaprof.http;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;

/**
 * Creates the JDK HTTP servers slaprof runs (registry, simulated engines, sinks) with TCP_NODELAY on. The JDK
 * server reads {@code sun.net.httpserver.nodelay} once, when its first instance is created in the JVM; without it,
 * Nagle's algorithm and delayed ACKs hold small SSE chunks back for ~40 ms, which a simulated engine at time scale
 * 20 reported as ~860 ms of extra TTFT. Likewise {@code sun.net.httpserver.maxIdleConnections}: the JDK server
 * closes idle keep-alive connections beyond 200, and a client that reuses one of them from its pool fails ("header
 * parser received no bytes"; the tap answered such requests with 502) once more than 200 streams are in flight.
 * Every server must therefore be created here, never directly.
 */
public final class LoopbackHttp {
    static {
        System.setProperty("sun.net.httpserver.nodelay", "true");
        if (System.getProperty("sun.net.httpserver.maxIdleConnections") == null) {
            System.setProperty("sun.net.httpserver.maxIdleConnections", "10000");
        }
    }

    private LoopbackHttp() {
    }

    /** Sends a complete response body with its content type. */
    public static void send(final HttpExchange ex, final int status, final String contentType,
                            final byte[] body) throws IOException {
        ex.getResponseHeaders().set("Content-Type", contentType);
        ex.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
        if (body.length > 0) {
            try (OutputStream out = ex.getResponseBody()) {
                out.write(body);
            }
        }
    }

    /** A started-later server bound to {@code host:port} (port 0 = free port). */
    public static HttpServer create(final String host, final int port, final int backlog) throws IOException {
        return HttpServer.create(new InetSocketAddress(host, port), backlog);
    }
}
