package io.berth.client;

import io.berth.client.auth.Authenticator;
import io.berth.oci.Endpoint;
import io.berth.oci.ErrorCode;
import io.berth.oci.RegistryException;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Optional;
import java.util.StringJoiner;
import javax.net.ssl.SSLException;

/**
 * The one place that sends requests to one registry host over {@code java.net.http}: URLs from the shared
 * {@link Endpoint} table, the {@code Authorization} header from the {@link Authenticator}, one retry after a
 * {@code 401} challenge, redirects followed for reads (without credentials to another host), one retry of an
 * idempotent read after a network error.
 */
final class Transport {
    private static final int MAX_REDIRECTS = 5;

    private final String registry;
    private final String base;
    private final HttpClient http;
    private final Authenticator auth;
    private final ClientOptions options;

    Transport(String registry, HttpClient http, Authenticator auth, ClientOptions options) {
        this.registry = registry;
        this.base = (options.plainHttp().test(registry) ? "http://" : "https://") + registry;
        this.http = http;
        this.auth = auth;
        this.options = options;
    }

    String registry() {
        return registry;
    }

    ClientOptions options() {
        return options;
    }

    /** The URL of {@code endpoint} with its path variables and query parameters (name, value, name, value …). */
    URI uri(Endpoint endpoint, Object[] variables, String... query) {
        StringJoiner params = new StringJoiner("&", "?", "").setEmptyValue("");
        for (int i = 0; i + 1 < query.length; i += 2) {
            if (query[i + 1] != null) {
                params.add(query[i] + "=" + URLEncoder.encode(query[i + 1], StandardCharsets.UTF_8));
            }
        }
        return URI.create(base + endpoint.path(variables) + params);
    }

    /** The URL of a path outside the distribution API (a Berth server's {@code /api/v1/…}). */
    URI uri(String path) {
        return URI.create(base + path);
    }

    /** A URL the registry gave (a {@code Location} or {@code Link}), with more query parameters. */
    static URI withQuery(URI uri, Map<String, String> query) {
        StringBuilder s = new StringBuilder(uri.toString());
        for (var e : query.entrySet()) {
            s.append(s.indexOf("?") < 0 ? '?' : '&').append(e.getKey()).append('=')
                    .append(URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8));
        }
        return URI.create(s.toString());
    }

    Response send(Call call) {
        boolean idempotent = call.method().equals("GET") || call.method().equals("HEAD");
        try {
            return sendAuthenticated(call);
        } catch (IOException e) {
            if (idempotent) {
                try {
                    return sendAuthenticated(call);
                } catch (IOException again) {
                    throw unreachable(call, again);
                }
            }
            throw unreachable(call, e);
        }
    }

    private Response sendAuthenticated(Call call) throws IOException {
        try {
            Optional<String> authorization = auth.authorization(registry, call.scope());
            Response response = sendFollowing(call, authorization);
            if (response.status() == 401) {
                Optional<String> challenge = response.header("WWW-Authenticate");
                byte[] body = response.bytes();
                Optional<String> retry = challenge.flatMap(c -> auth.challenged(registry, call.scope(), c, authorization));
                if (retry.isPresent()) {
                    return sendFollowing(call, retry);
                }
                return new Response(call, 401, responseHeaders(response), new ByteArrayInputStream(body));
            }
            return response;
        } catch (RegistryException e) {
            throw new RegistryClientException(e.code(), e.code().status(), e.detail(), e);
        }
    }

    private static java.net.http.HttpHeaders responseHeaders(Response response) {
        return java.net.http.HttpHeaders.of(Map.of("WWW-Authenticate", response.headers("WWW-Authenticate")), (a, b) -> true);
    }

    private Response sendFollowing(Call call, Optional<String> authorization) throws IOException {
        Call current = call;
        Optional<String> credentials = authorization;
        for (int hop = 0; ; hop++) {
            HttpResponse<InputStream> answer = sendOnce(current, credentials);
            int status = answer.statusCode();
            boolean redirect = status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
            boolean read = current.method().equals("GET") || current.method().equals("HEAD");
            if (!redirect || !read || hop >= MAX_REDIRECTS || answer.headers().firstValue("Location").isEmpty()) {
                return new Response(current, status, answer.headers(), answer.body());
            }
            answer.body().close();
            URI next = current.uri().resolve(answer.headers().firstValue("Location").get());
            if (!sameOrigin(next, current.uri())) {
                credentials = Optional.empty(); // blob storage behind a redirect must not see the registry's credentials
            }
            current = current.to(next);
        }
    }

    private HttpResponse<InputStream> sendOnce(Call call, Optional<String> authorization) throws IOException {
        HttpRequest.Builder request = HttpRequest.newBuilder(call.uri())
                .method(call.method(), call.body().map(b -> b.get()).orElse(HttpRequest.BodyPublishers.noBody()))
                .header("User-Agent", options.userAgent());
        call.headers().forEach(request::header);
        authorization.ifPresent(a -> request.header("Authorization", a));
        try {
            return http.send(request.build(), HttpResponse.BodyHandlers.ofInputStream());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }

    private static boolean sameOrigin(URI a, URI b) {
        return a.getScheme().equalsIgnoreCase(b.getScheme()) && String.valueOf(a.getAuthority()).equalsIgnoreCase(String.valueOf(b.getAuthority()));
    }

    private RegistryClientException unreachable(Call call, IOException e) {
        String hint = "";
        Throwable cause = e;
        while (cause != null && !(cause instanceof SSLException)) {
            cause = cause.getCause();
        }
        if (cause != null && base.startsWith("https")) {
            hint = "; if " + registry + " serves plain HTTP, use --plain-http";
        } else if (e instanceof java.net.ConnectException) {
            hint = "; is the registry running and is " + registry + " the right address?";
        }
        return new RegistryClientException(ErrorCode.UNAVAILABLE, 0, "cannot reach " + base + " (" + call + "): "
                + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage()) + hint, e);
    }
}
