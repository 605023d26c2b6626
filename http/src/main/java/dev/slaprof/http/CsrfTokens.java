package dev.slaprof.http;

import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Per-page CSRF tokens with nothing to store: a token is a random nonce and its HMAC-SHA256 under a key drawn when
 * the server starts, so any page this server served proves itself, and a token of another server (or of this one's
 * previous run) does not.
 */
public final class CsrfTokens {
    private final byte[] key = new byte[32];
    private final SecureRandom random = new SecureRandom();

    /** Tokens under a fresh random key. */
    public CsrfTokens() {
        random.nextBytes(key);
    }

    /** A fresh token: {@code base64url(nonce).base64url(hmac(nonce))}. */
    public String issue() {
        final byte[] nonce = new byte[16];
        random.nextBytes(nonce);
        final Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
        return b64.encodeToString(nonce) + "." + b64.encodeToString(mac(nonce));
    }

    /** True when {@code token} was issued under this key (compared in constant time); false for null or malformed. */
    public boolean valid(final String token) {
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
            m.init(new SecretKeySpec(key, "HmacSHA256"));
            return m.doFinal(nonce);
        } catch (final GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}
