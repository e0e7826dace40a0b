package io.berth.client.auth;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Optional;

/**
 * What a user proves who they are with: a user name and password, or an identity token (an OAuth2 refresh token that
 * {@code docker login} stores for registries such as ACR under the user name {@code <token>}).
 */
public record Credentials(String username, String password, Optional<String> identityToken) {
    /** The user name docker credential helpers answer for an identity token. */
    public static final String TOKEN_USER = "<token>";

    public Credentials {
        if (username == null || password == null) {
            throw new IllegalArgumentException("username and password must not be null");
        }
    }

    public static Credentials basic(String username, String password) {
        return new Credentials(username, password, Optional.empty());
    }

    public static Credentials identityToken(String token) {
        return new Credentials(TOKEN_USER, "", Optional.of(token));
    }

    /** The {@code Authorization} header value for HTTP basic authentication. */
    public String basicHeader() {
        return "Basic " + Base64.getEncoder().encodeToString((username + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public String toString() {
        return "Credentials[" + username + (identityToken.isPresent() ? ", identity token" : "") + "]";
    }
}
