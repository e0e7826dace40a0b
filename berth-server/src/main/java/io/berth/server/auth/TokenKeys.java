package io.berth.server.auth;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import io.berth.server.startup.ConfigException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.text.ParseException;
import java.util.List;
import java.time.Clock;
import io.berth.server.meta.SigningKeyRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The token service's signing key: a private EC P-256 JWK in a file. On the first start the file is created with a
 * fresh key, readable by the owner only (0600); the key id is the key's JWK thumbprint (RFC 7638). Without a configured
 * file, the key is the database's ({@link #shared}), so that every node signs with the same one.
 */
final class TokenKeys {
    private static final Logger LOG = LoggerFactory.getLogger(TokenKeys.class);

    private TokenKeys() {
    }

    static ECKey loadOrCreate(Path file) {
        try {
            if (!Files.exists(file)) {
                create(file);
            }
            JWK jwk = JWK.parse(Files.readString(file, StandardCharsets.UTF_8));
            if (!(jwk instanceof ECKey ec) || !ec.isPrivate() || !Curve.P_256.equals(ec.getCurve())) {
                throw new ConfigException(List.of(file + ": the token signing key must be a private EC P-256 JWK"));
            }
            return ec.getKeyID() != null ? ec : new ECKey.Builder(ec).keyIDFromThumbprint().build();
        } catch (ParseException | JOSEException e) {
            throw new ConfigException(List.of(file + ": not a JWK: " + e.getMessage()));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the token signing key " + file, e);
        }
    }

    /**
     * The key stored in the database; on the first start, the key of {@code legacyFile} (where releases before kept
     * it, so that tokens issued before stay valid) or a fresh one, stored unless another node was first.
     */
    static ECKey shared(SigningKeyRecord record, Path legacyFile, Clock clock) {
        String jwk = record.load().orElseGet(() -> {
            try {
                String candidate = Files.exists(legacyFile) ? Files.readString(legacyFile, StandardCharsets.UTF_8).strip()
                        : new ECKeyGenerator(Curve.P_256).keyUse(KeyUse.SIGNATURE).keyIDFromThumbprint(true).generate()
                                .toJSONString();
                String stored = record.storeIfAbsent(candidate, clock.millis());
                if (stored.equals(candidate)) {
                    LOG.info("the token signing key is kept in the metadata database now{}", Files.exists(legacyFile)
                            ? " (copied from " + legacyFile.toAbsolutePath() + ")" : "");
                }
                return stored;
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read the token signing key " + legacyFile, e);
            } catch (JOSEException e) {
                throw new IllegalStateException("cannot generate a token signing key", e);
            }
        });
        try {
            JWK parsed = JWK.parse(jwk);
            if (!(parsed instanceof ECKey ec) || !ec.isPrivate() || !Curve.P_256.equals(ec.getCurve())) {
                throw new ConfigException(List.of("the token signing key in the database (token_signing_keys) must be a"
                        + " private EC P-256 JWK"));
            }
            return ec.getKeyID() != null ? ec : new ECKey.Builder(ec).keyIDFromThumbprint().build();
        } catch (ParseException | JOSEException e) {
            throw new ConfigException(List.of("the token signing key in the database (token_signing_keys) is not a JWK: "
                    + e.getMessage()));
        }
    }

    private static void create(Path file) throws IOException, JOSEException {
        ECKey key = new ECKeyGenerator(Curve.P_256).keyUse(KeyUse.SIGNATURE).keyIDFromThumbprint(true).generate();
        Files.createDirectories(file.toAbsolutePath().getParent());
        try {
            Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        } catch (FileAlreadyExistsException e) {
            return; // another process was first: use its key
        } catch (UnsupportedOperationException e) {
            Files.createFile(file);
        }
        Files.writeString(file, key.toJSONString() + "\n", StandardCharsets.UTF_8);
        LOG.info("generated the token signing key {} (kid {})", file.toAbsolutePath(), key.getKeyID());
    }

    /** The public half, as a JWK set another service can use to verify Berth's tokens. */
    static JWKSet publicSet(ECKey key) {
        return new JWKSet(key.toPublicJWK());
    }
}
