package io.berth.server.metrics;

import static org.assertj.core.api.Assertions.assertThat;

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

/** The few registry calls the metrics tests make, with {@code java.net.http}. */
final class MetricsHttp {
    static final String OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";

    private final URI base;
    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10)).build();

    MetricsHttp(URI base) {
        this.base = base;
    }

    /** Headers as name/value pairs. */
    HttpResponse<byte[]> send(String method, String target, byte[] body, String... headers) {
        HttpRequest.Builder request = HttpRequest.newBuilder(base.resolve(target)).timeout(Duration.ofSeconds(60))
                .method(method, body == null ? BodyPublishers.noBody() : BodyPublishers.ofByteArray(body));
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

    Scraped scrape(String... headers) {
        HttpResponse<byte[]> response = send("GET", "/metrics", null, headers);
        assertThat(response.statusCode()).as(text(response)).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type").orElseThrow()).startsWith("text/plain; version=0.0.4");
        return Scraped.parse(text(response));
    }

    /** Pushes a blob in three steps (POST, PATCH, PUT); returns its digest. */
    String pushBlob(String repository, byte[] content) {
        String digest = Digest.sha256(content).toString();
        HttpResponse<byte[]> post = send("POST", "/v2/" + repository + "/blobs/uploads/", null);
        assertThat(post.statusCode()).as(text(post)).isEqualTo(202);
        String location = post.headers().firstValue("Location").orElseThrow();
        HttpResponse<byte[]> patch = send("PATCH", location, content, "Content-Type", "application/octet-stream");
        assertThat(patch.statusCode()).as(text(patch)).isEqualTo(202);
        location = patch.headers().firstValue("Location").orElseThrow();
        HttpResponse<byte[]> put = send("PUT", location + (location.contains("?") ? "&" : "?") + "digest=" + digest,
                null);
        assertThat(put.statusCode()).as(text(put)).isEqualTo(201);
        return digest;
    }

    /** A config, a layer of {@code layer} and a manifest over them, tagged; returns the manifest's digest. */
    String pushImage(String repository, String tag, byte[] layer) {
        byte[] config = "{\"architecture\":\"amd64\",\"os\":\"linux\"}".getBytes(StandardCharsets.UTF_8);
        String configDigest = pushBlob(repository, config);
        String layerDigest = pushBlob(repository, layer);
        byte[] manifest = ("{\"schemaVersion\":2,\"mediaType\":\"" + OCI_MANIFEST + "\",\"config\":{\"mediaType\":"
                + "\"application/vnd.oci.image.config.v1+json\",\"digest\":\"" + configDigest + "\",\"size\":"
                + config.length + "},\"layers\":[{\"mediaType\":\"application/vnd.oci.image.layer.v1.tar\",\"digest\":\""
                + layerDigest + "\",\"size\":" + layer.length + "}]}").getBytes(StandardCharsets.UTF_8);
        HttpResponse<byte[]> put = send("PUT", "/v2/" + repository + "/manifests/" + tag, manifest,
                "Content-Type", OCI_MANIFEST);
        assertThat(put.statusCode()).as(text(put)).isEqualTo(201);
        return Digest.sha256(manifest).toString();
    }

    static String text(HttpResponse<byte[]> response) {
        return new String(response.body(), StandardCharsets.UTF_8);
    }
}
