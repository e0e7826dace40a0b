package io.berth.server.interop;

import io.berth.server.testing.RegistryFixture;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** Plain HTTP reads of the registry, to check what a client left there independently of that client. */
public final class RegistryHttp {
    /** Every manifest media type these tests push. */
    public static final String ACCEPT_MANIFESTS = String.join(", ", OciImages.OCI_MANIFEST, OciImages.OCI_INDEX,
            OciImages.DOCKER_MANIFEST, OciImages.DOCKER_MANIFEST_LIST);

    private final RegistryFixture registry;
    private final HttpClient client = HttpClient.newBuilder()
            .followRedirects(HttpClient.Redirect.NORMAL)
            .connectTimeout(Duration.ofSeconds(10))
            .build();

    public RegistryHttp(RegistryFixture registry) {
        this.registry = registry;
    }

    public HttpResponse<byte[]> get(String path, String accept) {
        return send(HttpRequest.newBuilder(uri(path)).header("Accept", accept).GET());
    }

    public HttpResponse<byte[]> head(String path, String accept) {
        return send(HttpRequest.newBuilder(uri(path)).header("Accept", accept)
                .method("HEAD", HttpRequest.BodyPublishers.noBody()));
    }

    /** GET /v2/{repo}/manifests/{reference}, failing unless 200. */
    public HttpResponse<byte[]> manifest(String repo, String reference) {
        HttpResponse<byte[]> response = get("/v2/" + repo + "/manifests/" + reference, ACCEPT_MANIFESTS);
        expect200(response);
        return response;
    }

    /** GET /v2/{repo}/blobs/{digest} (following redirects), failing unless 200. */
    public byte[] blob(String repo, String digest) {
        HttpResponse<byte[]> response = get("/v2/" + repo + "/blobs/" + digest, "*/*");
        expect200(response);
        return response.body();
    }

    /** HEAD /v2/{repo}/blobs/{digest}: the status code. */
    public int blobStatus(String repo, String digest) {
        return head("/v2/" + repo + "/blobs/" + digest, "*/*").statusCode();
    }

    public int manifestStatus(String repo, String reference) {
        return head("/v2/" + repo + "/manifests/" + reference, ACCEPT_MANIFESTS).statusCode();
    }

    private static void expect200(HttpResponse<byte[]> response) {
        if (response.statusCode() != 200) {
            throw new AssertionError(response.request().method() + " " + response.uri() + " answered "
                    + response.statusCode() + ": " + new String(response.body()));
        }
    }

    private URI uri(String path) {
        return URI.create(registry.baseUri() + path);
    }

    private HttpResponse<byte[]> send(HttpRequest.Builder request) {
        try {
            return client.send(request.timeout(Duration.ofSeconds(60)).build(), HttpResponse.BodyHandlers.ofByteArray());
        } catch (IOException e) {
            throw new AssertionError("HTTP request to " + registry.hostPort() + " failed", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
