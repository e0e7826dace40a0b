package io.berth.server.auth;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.jwk.ECKey;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * A short keyed fingerprint of an account's current bcrypt hash, carried by its refresh tokens: when the password
 * changes, the robot's token is rotated or the user is removed, the fingerprint no longer matches and the refresh
 * tokens stop working. HMAC-SHA256 with a key derived from the token signing key (so the fingerprint neither reveals
 * the hash nor lets anyone test guesses at it, and survives restarts), truncated to 128 bits, base64url.
 */
final class CredentialFingerprint {
    /** The refresh token claim that carries it. */
    static final String CLAIM = "cred";
    private static final int BYTES = 16;

    private final SecretKeySpec key;

    CredentialFingerprint(ECKey signingKey) {
        try {
            MessageDigest sha256 = MessageDigest.getInstance("SHA-256");
            sha256.update("berth refresh token credential binding\n".getBytes(StandardCharsets.US_ASCII));
            sha256.update(signingKey.toECPrivateKey().getS().toByteArray());
            this.key = new SecretKeySpec(sha256.digest(), "HmacSHA256");
        } catch (GeneralSecurityException | JOSEException e) {
            throw new IllegalStateException("cannot derive the credential fingerprint key", e);
        }
    }

    String of(String hash) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(key);
            byte[] full = mac.doFinal(hash.getBytes(StandardCharsets.US_ASCII));
            return Base64.getUrlEncoder().withoutPadding().encodeToString(Arrays.copyOf(full, BYTES));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Whether {@code fingerprint} (from a token; null when it has none) is that of {@code hash}; constant time. */
    boolean matches(String fingerprint, String hash) {
        return fingerprint != null && MessageDigest.isEqual(fingerprint.getBytes(StandardCharsets.US_ASCII),
                of(hash).getBytes(StandardCharsets.US_ASCII));
    }
}
