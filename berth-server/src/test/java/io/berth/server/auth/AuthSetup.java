package io.berth.server.auth;

import at.favre.lib.crypto.bcrypt.BCrypt;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import io.berth.server.auth.AuthConfig;
import io.berth.server.auth.AuthConfig.Policy;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Building blocks of the auth tests: htpasswd files, policies, and tokens signed with a server's own key. */
final class AuthSetup {
    private AuthSetup() {
    }

    /** bcrypt at the minimum cost, so that tests stay fast; the server accepts any cost. */
    static String bcrypt(String secret) {
        return BCrypt.with(BCrypt.Version.VERSION_2Y).hashToString(4, secret.toCharArray());
    }

    /** Writes {@code user:bcrypt(password)} lines; {@code usersAndPasswords} alternates names and passwords. */
    static Path htpasswd(Path file, String... usersAndPasswords) {
        StringBuilder content = new StringBuilder();
        for (int i = 0; i < usersAndPasswords.length; i += 2) {
            content.append(usersAndPasswords[i]).append(':').append(bcrypt(usersAndPasswords[i + 1])).append('\n');
        }
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
            Files.writeString(file, content.toString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return file;
    }

    static Policy users(String pattern, List<String> users, String... actions) {
        return new Policy(List.of(pattern), users, List.of(), false, List.of(actions));
    }

    static Policy anonymous(String pattern, String... actions) {
        return new Policy(List.of(pattern), List.of(), List.of(), true, List.of(actions));
    }

    static AuthConfig.Robot robot(String name, String token, Policy... policies) {
        return new AuthConfig.Robot(name, bcrypt(token), List.of(policies));
    }

    /** The server's signing key, from the file it generated under its data directory. */
    static ECKey serverKey(Path dataDir) {
        try {
            return (ECKey) JWK.parse(Files.readString(dataDir.resolve("token-key.jwk"), StandardCharsets.UTF_8));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** Claims of an access token as Berth issues them, for {@code subject} with {@code repository:actions}. */
    static JWTClaimsSet.Builder claims(String subject, Instant notBefore, Instant expires, String repository,
                                       String... actions) {
        Map<String, Object> access = new LinkedHashMap<>();
        access.put("type", "repository");
        access.put("name", repository);
        access.put("actions", List.of(actions));
        return new JWTClaimsSet.Builder().issuer("berth").audience("berth").subject(subject)
                .issueTime(Date.from(notBefore)).notBeforeTime(Date.from(notBefore)).expirationTime(Date.from(expires))
                .claim("access", List.of(access));
    }

    static String sign(ECKey key, JWTClaimsSet claims) {
        try {
            SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.ES256).keyID(key.getKeyID())
                    .type(JOSEObjectType.JWT).build(), claims);
            jwt.sign(new ECDSASigner(key));
            return jwt.serialize();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** The token with one character of its signature changed. */
    static String tampered(String token) {
        int dot = token.lastIndexOf('.');
        int at = dot + 10;
        char replacement = token.charAt(at) == 'A' ? 'B' : 'A';
        return token.substring(0, at) + replacement + token.substring(at + 1);
    }
}
