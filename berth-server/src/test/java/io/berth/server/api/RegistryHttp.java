package io.berth.server.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.berth.oci.Digest;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublisher;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A black-box HTTP client for the distribution-spec API tests: raw requests on {@link HttpClient}, plus the few
 * steps every test needs (push a blob, push a manifest, build an image manifest, read an error envelope).
 * It knows nothing of Berth; it only speaks the spec.
 */
final class RegistryHttp {
    static final String OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";
    static final String OCI_INDEX = "application/vnd.oci.image.index.v1+json";
    static final String OCI_CONFIG = "application/vnd.oci.image.config.v1+json";
    static final String OCI_LAYER = "application/vnd.oci.image.layer.v1.tar";
    static final String OCI_EMPTY = "application/vnd.oci.empty.v1+json";
    static final String DOCKER_MANIFEST = "application/vnd.docker.distribution.manifest.v2+json";
    static final String DOCKER_MANIFEST_LIST = "application/vnd.docker.distribution.manifest.list.v2+json";
    static final String OCTET_STREAM = "application/octet-stream";
    /** What a client that understands every current manifest type sends (spec: the client SHOULD send Accept). */
    static final String ACCEPT_MANIFESTS = String.join(", ", OCI_MANIFEST, OCI_INDEX, DOCKER_MANIFEST, DOCKER_MANIFEST_LIST);
    /** {@code {}}, the empty descriptor's content (image-spec "Guidance for an Empty Descriptor"). */
    static final byte[] EMPTY_JSON = "{}".getBytes(StandardCharsets.UTF_8);

    static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern LINK_NEXT = Pattern.compile("<([^>]*)>\\s*;\\s*rel=\"?next\"?");

    private final URI base;
    private final HttpClient client = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .followRedirects(HttpClient.Redirect.NEVER)
            .connectTimeout(Duration.ofSeconds(10))
            .build();

    RegistryHttp(URI base) {
        this.base = base;
    }

    // ---- raw requests -------------------------------------------------------------------------------------

    /** Sends {@code method} to {@code target} (a path such as {@code /v2/}, or an absolute URI), headers as name/value pairs. */
    HttpResponse<byte[]> send(String method, String target, BodyPublisher body, String... headers) {
        HttpRequest.Builder request = HttpRequest.newBuilder(resolve(target))
                .timeout(Duration.ofSeconds(60))
                .method(method, body);
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

    HttpResponse<byte[]> send(String method, String target, byte[] body, String... headers) {
        return send(method, target, BodyPublishers.ofByteArray(body), headers);
    }

    HttpResponse<byte[]> get(String target, String... headers) {
        return send("GET", target, BodyPublishers.noBody(), headers);
    }

    HttpResponse<byte[]> head(String target, String... headers) {
        return send("HEAD", target, BodyPublishers.noBody(), headers);
    }

    HttpResponse<byte[]> delete(String target) {
        return send("DELETE", target, BodyPublishers.noBody());
    }

    HttpResponse<byte[]> post(String target) {
        return send("POST", target, BodyPublishers.noBody());
    }

    /** GET of a manifest with the Accept header real clients send. */
    HttpResponse<byte[]> getManifest(String repo, String reference) {
        return get("/v2/" + repo + "/manifests/" + reference, "Accept", ACCEPT_MANIFESTS);
    }

    HttpResponse<byte[]> headManifest(String repo, String reference) {
        return head("/v2/" + repo + "/manifests/" + reference, "Accept", ACCEPT_MANIFESTS);
    }

    /**
     * A path or a {@code Location} header value as an absolute URI: the spec lets registries answer with either
     * an absolute or a relative location (RFC 7231 section 7.1.2), resolved against the request URI.
     */
    URI resolve(String pathOrUri) {
        return base.resolve(pathOrUri);
    }

    /** The response's {@code Location}, resolved; fails the test when it is missing. */
    URI location(HttpResponse<?> response) {
        Optional<String> location = response.headers().firstValue("Location");
        assertThat(location).as("Location header of %s", response.uri()).isPresent();
        return resolve(location.get());
    }

    /**
     * Adds a query parameter to a location that may already carry critical query parameters of its own
     * (spec: "The {@code <location>} MAY contain critical query parameters").
     */
    static String withQuery(URI location, String name, String value) {
        String s = location.toString();
        return s + (location.getRawQuery() == null ? "?" : "&") + name + "=" + URLEncoder.encode(value, StandardCharsets.UTF_8);
    }

    // ---- push steps ---------------------------------------------------------------------------------------

    /** POST then PUT (spec "Pushing a blob monolithically"); asserts 202 then 201 and returns the blob's descriptor. */
    Descriptor pushBlob(String repo, String mediaType, byte[] content) {
        String digest = sha256(content);
        URI upload = startUpload(repo);
        HttpResponse<byte[]> put = send("PUT", withQuery(upload, "digest", digest), content, "Content-Type", OCTET_STREAM);
        assertThat(put.statusCode()).as("PUT %s: %s", put.uri(), body(put)).isEqualTo(201);
        return new Descriptor(mediaType, digest, content.length);
    }

    Descriptor pushBlob(String repo, byte[] content) {
        return pushBlob(repo, OCI_LAYER, content);
    }

    /** POST {@code /v2/<name>/blobs/uploads/}; asserts 202 and returns the resolved upload location. */
    URI startUpload(String repo) {
        HttpResponse<byte[]> post = post("/v2/" + repo + "/blobs/uploads/");
        assertThat(post.statusCode()).as("POST uploads in %s: %s", repo, body(post)).isEqualTo(202);
        return location(post);
    }

    /** PUT {@code /v2/<name>/manifests/<reference>} with {@code Content-Type: mediaType}; returns the raw response. */
    HttpResponse<byte[]> putManifest(String repo, String reference, String mediaType, byte[] manifest) {
        return send("PUT", "/v2/" + repo + "/manifests/" + reference, manifest, "Content-Type", mediaType);
    }

    /** Pushes a manifest and asserts 201; returns its descriptor. */
    Descriptor pushManifest(String repo, String reference, String mediaType, byte[] manifest) {
        HttpResponse<byte[]> put = putManifest(repo, reference, mediaType, manifest);
        assertThat(put.statusCode()).as("PUT manifest %s:%s: %s", repo, reference, body(put)).isEqualTo(201);
        return new Descriptor(mediaType, sha256(manifest), manifest.length);
    }

    /** Pushes a config and one random layer, then an image manifest over them; returns the manifest's descriptor. */
    Descriptor pushImage(String repo, String reference) {
        return pushManifest(repo, reference, OCI_MANIFEST, imageWithBlobs(repo).json());
    }

    /** An image manifest whose config and single random layer have been pushed to {@code repo}. */
    ImageManifest imageWithBlobs(String repo) {
        Descriptor config = pushBlob(repo, OCI_CONFIG, ("{\"architecture\":\"amd64\",\"os\":\"linux\",\"id\":\""
                + HexFormat.of().formatHex(randomBytes(8)) + "\"}").getBytes(StandardCharsets.UTF_8));
        Descriptor layer = pushBlob(repo, OCI_LAYER, randomBytes(64));
        return ImageManifest.of(config).layer(layer);
    }

    // ---- reading responses --------------------------------------------------------------------------------

    static String body(HttpResponse<byte[]> response) {
        return new String(response.body(), StandardCharsets.UTF_8);
    }

    static JsonNode json(HttpResponse<byte[]> response) {
        try {
            return JSON.readTree(response.body());
        } catch (IOException e) {
            throw new AssertionError("not JSON (" + response.statusCode() + "): " + body(response), e);
        }
    }

    /** The {@code code}s of the spec's error envelope {@code {"errors":[{"code":…}]}}, in order. */
    static List<String> errorCodes(HttpResponse<byte[]> response) {
        JsonNode errors = json(response).path("errors");
        assertThat(errors.isArray()).as("error envelope: %s", body(response)).isTrue();
        List<String> codes = new ArrayList<>();
        errors.forEach(error -> codes.add(error.path("code").asText()));
        return codes;
    }

    /** The first error code of the envelope. */
    static String errorCode(HttpResponse<byte[]> response) {
        List<String> codes = errorCodes(response);
        assertThat(codes).as("error codes in %s", body(response)).isNotEmpty();
        return codes.get(0);
    }

    /**
     * Asserts a spec error: the status, a JSON body ({@code Content-Type: application/json}) in the envelope
     * {@code {"errors":[{"code":…}]}} (spec "Error Codes"), and {@code code} among its codes.
     */
    static void assertError(HttpResponse<byte[]> response, int status, String code) {
        assertThat(response.statusCode()).as("status of %s %s: %s", response.request().method(), response.uri(), body(response))
                .isEqualTo(status);
        assertThat(contentType(response)).as("Content-Type of error %s", body(response)).isEqualTo("application/json");
        assertThat(errorCodes(response)).as("error codes of %s", body(response)).contains(code);
    }

    static Optional<String> header(HttpResponse<?> response, String name) {
        return response.headers().firstValue(name);
    }

    /** The media type of {@code Content-Type} without parameters, lower-cased. */
    static String contentType(HttpResponse<?> response) {
        String value = header(response, "Content-Type").orElse("");
        int semicolon = value.indexOf(';');
        return (semicolon < 0 ? value : value.substring(0, semicolon)).trim().toLowerCase(java.util.Locale.ROOT);
    }

    /** The target of a {@code Link: <…>; rel="next"} header (RFC 5988), if any. */
    static Optional<String> nextLink(HttpResponse<?> response) {
        for (String link : response.headers().allValues("Link")) {
            Matcher matcher = LINK_NEXT.matcher(link);
            if (matcher.find()) {
                return Optional.of(matcher.group(1));
            }
        }
        return Optional.empty();
    }

    static List<String> strings(JsonNode array) {
        List<String> values = new ArrayList<>();
        array.forEach(node -> values.add(node.asText()));
        return values;
    }

    // ---- content ------------------------------------------------------------------------------------------

    static String sha256(byte[] content) {
        return Digest.sha256(content).toString();
    }

    static byte[] randomBytes(int length) {
        byte[] bytes = new byte[length];
        ThreadLocalRandom.current().nextBytes(bytes);
        return bytes;
    }

    static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    /** A syntactically valid sha256 digest of random content, so it names nothing in any registry. */
    static String unknownDigest() {
        return sha256(randomBytes(32));
    }

    /** An OCI content descriptor (image-spec descriptor.md): media type, digest, size. */
    record Descriptor(String mediaType, String digest, long size) {
        ObjectNode toJson() {
            ObjectNode node = JSON.createObjectNode();
            node.put("mediaType", mediaType);
            node.put("digest", digest);
            node.put("size", size);
            return node;
        }
    }

    /** Builds an OCI image manifest (image-spec manifest.md) as compact JSON bytes. */
    static final class ImageManifest {
        private final Descriptor config;
        private final List<Descriptor> layers = new ArrayList<>();
        private final Map<String, String> annotations = new LinkedHashMap<>();
        private Descriptor subject;
        private String artifactType;

        private ImageManifest(Descriptor config) {
            this.config = config;
        }

        static ImageManifest of(Descriptor config) {
            return new ImageManifest(config);
        }

        ImageManifest layer(Descriptor layer) {
            layers.add(layer);
            return this;
        }

        ImageManifest subject(Descriptor subject) {
            this.subject = subject;
            return this;
        }

        ImageManifest artifactType(String artifactType) {
            this.artifactType = artifactType;
            return this;
        }

        ImageManifest annotation(String key, String value) {
            annotations.put(key, value);
            return this;
        }

        ObjectNode tree() {
            ObjectNode node = JSON.createObjectNode();
            node.put("schemaVersion", 2);
            node.put("mediaType", OCI_MANIFEST);
            if (artifactType != null) {
                node.put("artifactType", artifactType);
            }
            node.set("config", config.toJson());
            ArrayNode layerArray = node.putArray("layers");
            layers.forEach(layer -> layerArray.add(layer.toJson()));
            if (subject != null) {
                node.set("subject", subject.toJson());
            }
            if (!annotations.isEmpty()) {
                ObjectNode annotationNode = node.putObject("annotations");
                annotations.forEach(annotationNode::put);
            }
            return node;
        }

        byte[] json() {
            return toBytes(tree());
        }
    }

    /** An OCI image index (image-spec image-index.md) over {@code manifests}, optionally with a subject. */
    static byte[] imageIndex(List<Descriptor> manifests, Descriptor subject, String artifactType, Map<String, String> annotations) {
        ObjectNode node = JSON.createObjectNode();
        node.put("schemaVersion", 2);
        node.put("mediaType", OCI_INDEX);
        if (artifactType != null) {
            node.put("artifactType", artifactType);
        }
        ArrayNode array = node.putArray("manifests");
        manifests.forEach(manifest -> array.add(manifest.toJson()));
        if (subject != null) {
            node.set("subject", subject.toJson());
        }
        if (!annotations.isEmpty()) {
            ObjectNode annotationNode = node.putObject("annotations");
            annotations.forEach(annotationNode::put);
        }
        return toBytes(node);
    }

    static byte[] imageIndex(List<Descriptor> manifests) {
        return imageIndex(manifests, null, null, Map.of());
    }

    static byte[] toBytes(JsonNode node) {
        try {
            return JSON.writeValueAsBytes(node);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
