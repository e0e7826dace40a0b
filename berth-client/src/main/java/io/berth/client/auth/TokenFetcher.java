package io.berth.client.auth;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.berth.oci.ErrorCode;
import io.berth.oci.RegistryException;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Asks a token server for a bearer token (the Docker token authentication spec): {@code GET realm?service=…&scope=…}
 * with basic credentials or none; with an identity token, the OAuth2 {@code POST} with {@code grant_type=refresh_token}.
 */
final class TokenFetcher {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration DEFAULT_LIFETIME = Duration.ofSeconds(60);

    private final HttpClient http;
    private final Clock clock;

    TokenFetcher(HttpClient http, Clock clock) {
        this.http = http;
        this.clock = clock;
    }

    /** A token and when to stop using it. */
    record Token(String value, Instant expires) {
        boolean usable(Clock clock) {
            return clock.instant().isBefore(expires);
        }
    }

    Token fetch(String realm, Optional<String> service, List<String> scopes, Optional<Credentials> credentials) {
        try {
            HttpRequest request = credentials.flatMap(Credentials::identityToken).isPresent()
                    ? refreshRequest(realm, service, scopes, credentials.get().identityToken().get())
                    : getRequest(realm, service, scopes, credentials);
            HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() == 401 || response.statusCode() == 403) {
                throw new RegistryException(response.statusCode() == 401 ? ErrorCode.UNAUTHORIZED : ErrorCode.DENIED,
                        "the token server " + realm + " refused " + (credentials.isPresent()
                                ? "the credentials for " + credentials.get().username() : "anonymous access")
                                + " (" + response.statusCode() + "); run `berth login` with valid credentials");
            }
            if (response.statusCode() != 200) {
                throw new RegistryException(ErrorCode.UNAUTHORIZED, "the token server " + realm + " answered "
                        + response.statusCode() + ": " + abbreviate(response.body()));
            }
            JsonNode body = JSON.readTree(response.body());
            String token = body.path("token").asText(body.path("access_token").asText(""));
            if (token.isEmpty()) {
                throw new RegistryException(ErrorCode.UNAUTHORIZED, "the token server " + realm + " sent no token");
            }
            long seconds = body.path("expires_in").asLong(DEFAULT_LIFETIME.toSeconds());
            Duration lifetime = Duration.ofSeconds(Math.max(seconds, DEFAULT_LIFETIME.toSeconds()));
            return new Token(token, clock.instant().plus(lifetime).minusSeconds(10));
        } catch (IOException e) {
            throw new RegistryException(ErrorCode.UNAUTHORIZED, "cannot reach the token server " + realm + ": " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RegistryException(ErrorCode.UNAUTHORIZED, "interrupted while asking " + realm + " for a token");
        }
    }

    private static HttpRequest getRequest(String realm, Optional<String> service, List<String> scopes,
                                          Optional<Credentials> credentials) {
        List<String> query = new ArrayList<>();
        service.ifPresent(s -> query.add("service=" + encode(s)));
        scopes.forEach(s -> query.add("scope=" + encode(s)));
        String separator = realm.contains("?") ? "&" : "?";
        URI uri = URI.create(query.isEmpty() ? realm : realm + separator + String.join("&", query));
        HttpRequest.Builder builder = HttpRequest.newBuilder(uri).GET().timeout(Duration.ofSeconds(60));
        credentials.ifPresent(c -> builder.header("Authorization", c.basicHeader()));
        return builder.build();
    }

    private static HttpRequest refreshRequest(String realm, Optional<String> service, List<String> scopes, String refreshToken) {
        List<String> form = new ArrayList<>(List.of("grant_type=refresh_token", "client_id=berth",
                "refresh_token=" + encode(refreshToken)));
        service.ifPresent(s -> form.add("service=" + encode(s)));
        if (!scopes.isEmpty()) {
            form.add("scope=" + encode(String.join(" ", scopes)));
        }
        return HttpRequest.newBuilder(URI.create(realm)).timeout(Duration.ofSeconds(60))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(String.join("&", form))).build();
    }

    private static String encode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    private static String abbreviate(String s) {
        return s.length() > 200 ? s.substring(0, 200) + "…" : s;
    }
}
