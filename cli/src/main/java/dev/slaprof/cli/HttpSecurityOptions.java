package dev.slaprof.cli;

import dev.slaprof.http.AccessPolicy;
import dev.slaprof.http.ApiTokens;
import dev.slaprof.http.HttpSurface;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Option;

/** Who may use an HTTP surface (web UI and REST API, schema registry), and TLS: the same flags on every command. */
final class HttpSecurityOptions {
    @Option(names = "--api-token-file", paramLabel = "FILE", description = "Tokens allowed to change state (pin, "
        + "unpin, register schemas), one 'TOKEN NAME' per line; re-read when it changes (env SLAPROF_API_TOKEN_FILE). "
        + "Required to listen off loopback.")
    private Path tokenFile;
    @Option(names = "--public-read", description = "Off loopback, serve reads without a token (writes still need one).")
    private boolean publicRead;
    @Option(names = "--allowed-host", paramLabel = "NAME", description = "A Host name this server answers to besides "
        + "the loopback names and its bind address (repeatable; '*' for any). Other Host headers get 403.")
    private List<String> allowedHosts = new ArrayList<>();
    @Option(names = "--insecure-no-auth", description = "Listen off loopback without a token file: anyone who reaches "
        + "the port can read, and anyone can write who sends the page's CSRF token with a matching Origin header. That "
        + "stops a web page on another site, not a client that sets its own headers (curl can pin). Logs a warning at "
        + "every start.")
    private boolean insecureNoAuth;
    @Option(names = "--tls-keystore", paramLabel = "FILE", description = "Serve HTTPS only, with this PKCS12 "
        + "keystore (plain HTTP is then refused).")
    private Path keystore;
    @Option(names = "--tls-keystore-password-file", paramLabel = "FILE", description = "File whose first line is the "
        + "keystore password (else env " + HttpSurface.TLS_PASSWORD_ENV + ").")
    private Path keystorePasswordFile;

    /** The options as the HTTP surface takes them; a bad token file or keystore is an error naming it. */
    HttpSurface.Options resolve() {
        final Path file = tokenFile;
        final ApiTokens tokens = file == null ? null : ApiTokens.load(file);
        if (tokens != null && tokens.size() == 0) {
            throw new IllegalArgumentException("the API token file " + file + " holds no token (lines 'TOKEN NAME')");
        }
        if (keystorePasswordFile != null && keystore == null) {
            throw new IllegalArgumentException("--tls-keystore-password-file needs --tls-keystore");
        }
        return new HttpSurface.Options(new AccessPolicy.Settings(tokens, publicRead, List.copyOf(allowedHosts),
            insecureNoAuth), keystore == null ? null : HttpSurface.tls(keystore, keystorePasswordFile));
    }
}
