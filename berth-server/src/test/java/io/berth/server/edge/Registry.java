package io.berth.server.edge;

import static org.assertj.core.api.Assertions.assertThat;

import io.berth.oci.Digest;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.time.Duration;

/** Pushes and pulls blobs the way a registry client does, on {@link HttpClient}, for the edge tests. */
final class Registry {
    private final URI base;
    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10)).build();

    Registry(String hostPort) {
        this.base = URI.create("http://" + hostPort);
    }

    /** Starts an upload and returns its location, as an absolute URI. */
    URI startUpload(String repository) throws IOException, InterruptedException {
        HttpResponse<String> started = client.send(HttpRequest.newBuilder(base.resolve("/v2/" + repository + "/blobs/uploads/"))
                .POST(BodyPublishers.noBody()).timeout(Duration.ofSeconds(30)).build(), BodyHandlers.ofString());
        assertThat(started.statusCode()).as(started.body()).isEqualTo(202);
        return base.resolve(started.headers().firstValue("Location").orElseThrow());
    }

    /** POST, then PUT with the digest and the whole content; returns the digest. */
    String push(String repository, byte[] content) throws IOException, InterruptedException {
        URI location = startUpload(repository);
        String digest = Digest.sha256(content).toString();
        URI put = URI.create(location + (location.getRawQuery() == null ? "?" : "&") + "digest=" + digest);
        HttpResponse<String> done = client.send(HttpRequest.newBuilder(put).PUT(BodyPublishers.ofByteArray(content))
                .header("Content-Type", "application/octet-stream").timeout(Duration.ofSeconds(60)).build(), BodyHandlers.ofString());
        assertThat(done.statusCode()).as(done.body()).isEqualTo(201);
        return digest;
    }

    byte[] pull(String repository, String digest) throws IOException, InterruptedException {
        HttpResponse<byte[]> got = client.send(HttpRequest.newBuilder(base.resolve("/v2/" + repository + "/blobs/" + digest))
                .timeout(Duration.ofSeconds(60)).build(), BodyHandlers.ofByteArray());
        assertThat(got.statusCode()).isEqualTo(200);
        return got.body();
    }
}
