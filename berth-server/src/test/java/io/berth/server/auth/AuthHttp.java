package io.berth.server.auth;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.berth.oci.Digest;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.HexFormat;
import java.util.concurrent.ThreadLocalRandom;
import javax.net.ssl.SSLContext;

/** Raw HTTP against a registry with authorization: every request names its {@code Authorization} header (or none). */
final class AuthHttp {
    static final ObjectMapper JSON = new ObjectMapper();
    static final String OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";

    private final URI base;
    private final HttpClient client;

    AuthHttp(URI base) {
        this(base, null);
    }

    AuthHttp(URI base, SSLContext ssl) {
        this.base = base;
        HttpClient.Builder builder = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .followRedirects(HttpClient.Redirect.NEVER).connectTimeout(Duration.ofSeconds(10));
        if (ssl != null) {
            builder.sslContext(ssl);
        }
        this.client = builder.build();
    }

    static String basic(String user, String password) {
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    static String bearer(String token) {
        return "Bearer " + token;
    }

    /** {@code auth} may be null (no header); headers as name/value pairs. */
    HttpResponse<byte[]> send(String method, String target, byte[] body, String auth, String... headers) {
        HttpRequest.Builder request = HttpRequest.newBuilder(base.resolve(target)).timeout(Duration.ofSeconds(60))
                .method(method, body == null ? BodyPublishers.noBody() : BodyPublishers.ofByteArray(body));
        if (auth != null) {
            request.header("Authorization", auth);
        }
        for (int i = 0; i < headers.length; i += 2) {
            request.header(headers[i], headers[i + 1]);
        }
        try {
            return client.send(request.build(), BodyHandlers.ofByteArray());
        } catch (IOException e) {
            throw new UncheckedIOException(method + " " + target, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    HttpResponse<byte[]> get(String target, String auth) {
        return send("GET", target, null, auth);
    }

    /** Pushes a blob with POST + PUT; returns its digest. */
    String pushBlob(String repository, byte[] content, String auth) {
        String digest = sha256(content);
        HttpResponse<byte[]> post = send("POST", "/v2/" + repository + "/blobs/uploads/", null, auth);
        assertThat(post.statusCode()).as("POST upload: %s", text(post)).isEqualTo(202);
        String location = post.headers().firstValue("Location").orElseThrow();
        HttpResponse<byte[]> put = send("PUT", location + (location.contains("?") ? "&" : "?") + "digest=" + digest,
                content, auth, "Content-Type", "application/octet-stream");
        assertThat(put.statusCode()).as("PUT blob: %s", text(put)).isEqualTo(201);
        return digest;
    }

    /** Pushes a config and a layer and a manifest over them, tagged; returns the manifest's bytes. */
    byte[] pushImage(String repository, String tag, String auth) {
        byte[] config = ("{\"architecture\":\"amd64\",\"os\":\"linux\",\"n\":\"" + HexFormat.of().formatHex(random(8)) + "\"}")
                .getBytes(StandardCharsets.UTF_8);
        byte[] layer = random(32);
        String configDigest = pushBlob(repository, config, auth);
        String layerDigest = pushBlob(repository, layer, auth);
        byte[] manifest = ("{\"schemaVersion\":2,\"mediaType\":\"" + OCI_MANIFEST + "\",\"config\":{\"mediaType\":"
                + "\"application/vnd.oci.image.config.v1+json\",\"digest\":\"" + configDigest + "\",\"size\":" + config.length
                + "},\"layers\":[{\"mediaType\":\"application/vnd.oci.image.layer.v1.tar\",\"digest\":\"" + layerDigest
                + "\",\"size\":" + layer.length + "}]}").getBytes(StandardCharsets.UTF_8);
        HttpResponse<byte[]> put = send("PUT", "/v2/" + repository + "/manifests/" + tag, manifest, auth,
                "Content-Type", OCI_MANIFEST);
        assertThat(put.statusCode()).as("PUT manifest: %s", text(put)).isEqualTo(201);
        return manifest;
    }

    /** A token from {@code GET /token} for these scopes. */
    String token(String auth, String... scopes) {
        StringBuilder query = new StringBuilder("/token?service=berth");
        for (String scope : scopes) {
            query.append("&scope=").append(java.net.URLEncoder.encode(scope, StandardCharsets.UTF_8));
        }
        HttpResponse<byte[]> response = get(query.toString(), auth);
        assertThat(response.statusCode()).as("token: %s", text(response)).isEqualTo(200);
        return json(response).path("token").asText();
    }

    static String text(HttpResponse<byte[]> response) {
        return new String(response.body(), StandardCharsets.UTF_8);
    }

    static JsonNode json(HttpResponse<byte[]> response) {
        try {
            return JSON.readTree(response.body());
        } catch (IOException e) {
            throw new AssertionError("not JSON: " + text(response), e);
        }
    }

    static String sha256(byte[] content) {
        return Digest.sha256(content).toString();
    }

    static byte[] random(int length) {
        byte[] bytes = new byte[length];
        ThreadLocalRandom.current().nextBytes(bytes);
        return bytes;
    }
}
