package io.berth.server.api;

import static io.berth.server.api.RegistryHttp.DOCKER_MANIFEST;
import static io.berth.server.api.RegistryHttp.OCI_INDEX;
import static io.berth.server.api.RegistryHttp.OCI_MANIFEST;
import static io.berth.server.api.RegistryHttp.assertError;
import static io.berth.server.api.RegistryHttp.body;
import static io.berth.server.api.RegistryHttp.errorCode;
import static io.berth.server.api.RegistryHttp.header;
import static io.berth.server.api.RegistryHttp.sha256;
import static io.berth.server.api.RegistryHttp.utf8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.berth.server.api.RegistryHttp.Descriptor;
import io.berth.server.testing.RegistryFixture;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** end-3 {@code GET/HEAD /v2/<name>/manifests/<reference>}: spec "Pulling manifests" and "Checking if content exists". */
class ManifestPullTest {
    private static final String REPO = "manifest-pull";

    @TempDir
    static Path dataDir;
    static RegistryFixture registry;
    static RegistryHttp http;
    static byte[] image;
    static Descriptor imageDescriptor;

    @BeforeAll
    static void start() {
        registry = RegistryFixture.start(dataDir);
        http = new RegistryHttp(registry.baseUri());
        image = http.imageWithBlobs(REPO).annotation("org.example.pulled", "yes").json();
        imageDescriptor = http.pushManifest(REPO, "latest", OCI_MANIFEST, image);
    }

    @AfterAll
    static void stop() {
        registry.close();
    }

    private static void assertManifestResponse(HttpResponse<byte[]> response, String mediaType, byte[] manifest) {
        assertThat(response.statusCode()).as(body(response)).isEqualTo(200);
        // "The Content-Type header SHOULD match what the client pushed"; "The registry SHOULD NOT include parameters"
        assertThat(header(response, "Content-Type")).contains(mediaType);
        // "returns the canonical digest of the uploaded blob"; clients verify it against the body
        assertThat(header(response, "Docker-Content-Digest")).contains(sha256(manifest));
        assertThat(header(response, "Content-Length")).contains(String.valueOf(manifest.length));
    }

    @Test
    void getByTagReturnsTheExactBytesWithTypeDigestAndLength() {
        // "A GET request to an existing manifest URL MUST provide the expected manifest, with ... 200 OK."
        HttpResponse<byte[]> response = http.getManifest(REPO, "latest");

        assertManifestResponse(response, OCI_MANIFEST, image);
        assertThat(response.body()).isEqualTo(image);
    }

    @Test
    void getByDigestReturnsTheExactBytesWithTypeDigestAndLength() {
        HttpResponse<byte[]> response = http.getManifest(REPO, imageDescriptor.digest());

        assertManifestResponse(response, OCI_MANIFEST, image);
        assertThat(response.body()).isEqualTo(image);
    }

    @Test
    void headByTagAnswers200WithTypeDigestAndLengthButNoBody() {
        // "A HEAD request to an existing blob or manifest URL MUST return 200 OK."
        HttpResponse<byte[]> response = http.headManifest(REPO, "latest");

        assertManifestResponse(response, OCI_MANIFEST, image);
        assertThat(response.body()).isEmpty();
    }

    @Test
    void headByDigestAnswers200WithTypeDigestAndLengthButNoBody() {
        HttpResponse<byte[]> response = http.headManifest(REPO, imageDescriptor.digest());

        assertManifestResponse(response, OCI_MANIFEST, image);
        assertThat(response.body()).isEmpty();
    }

    @Test
    void manifestIsServedInTheExactBytesPushedEvenWhenNotCompact() {
        // "The registry MUST store the manifest in the exact byte representation provided by the client."
        String compact = RegistryHttp.body(http.getManifest(REPO, "latest"));
        byte[] pretty = utf8("\n  " + compact.replace(",", ",\n    ").replace("{", "{ ") + "\n\n");

        http.pushManifest(REPO, "pretty", OCI_MANIFEST, pretty);

        HttpResponse<byte[]> response = http.getManifest(REPO, "pretty");
        assertManifestResponse(response, OCI_MANIFEST, pretty);
        assertThat(response.body()).isEqualTo(pretty);
    }

    @Test
    void imageIndexIsServedWithItsOwnContentType() {
        byte[] index = RegistryHttp.imageIndex(List.of(imageDescriptor));
        http.pushManifest(REPO, "index", OCI_INDEX, index);

        HttpResponse<byte[]> response = http.getManifest(REPO, "index");

        assertManifestResponse(response, OCI_INDEX, index);
        assertThat(response.body()).isEqualTo(index);
    }

    @Test
    void dockerSchema2ManifestIsServedWithItsOwnContentType() {
        Descriptor config = http.pushBlob(REPO, "application/vnd.docker.container.image.v1+json",
                utf8("{\"architecture\":\"amd64\",\"os\":\"linux\",\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[]}}"));
        Descriptor layer = http.pushBlob(REPO, "application/vnd.docker.image.rootfs.diff.tar.gzip",
                RegistryHttp.randomBytes(80));
        byte[] manifest = utf8("{\"schemaVersion\":2,\"mediaType\":\"" + DOCKER_MANIFEST + "\",\"config\":"
                + config.toJson() + ",\"layers\":[" + layer.toJson() + "]}");
        http.pushManifest(REPO, "docker", DOCKER_MANIFEST, manifest);

        HttpResponse<byte[]> response = http.getManifest(REPO, "docker");

        assertManifestResponse(response, DOCKER_MANIFEST, manifest);
        assertThat(response.body()).isEqualTo(manifest);
    }

    @Test
    void getWithoutAcceptHeaderStillReturnsTheManifest() {
        assumeTrue(registry.isBerth(), "Distribution 2.8 answers 404 MANIFEST_UNKNOWN ('OCI manifest found, but"
                + " accept header does not support OCI manifests') when Accept does not list the OCI type");
        // Accept is a client SHOULD; "A GET request to an existing manifest URL MUST provide the expected manifest"
        HttpResponse<byte[]> response = http.get("/v2/" + REPO + "/manifests/latest");

        assertManifestResponse(response, OCI_MANIFEST, image);
        assertThat(response.body()).isEqualTo(image);
    }

    @Test
    void unknownTagAnswers404ManifestUnknown() {
        // "If the manifest is not found in the repository, the response code MUST be 404 Not Found." (code-7)
        assertError(http.getManifest(REPO, "no-such-tag"), 404, "MANIFEST_UNKNOWN");
    }

    @Test
    void unknownDigestAnswers404ManifestUnknown() {
        assertError(http.getManifest(REPO, RegistryHttp.unknownDigest()), 404, "MANIFEST_UNKNOWN");
    }

    @Test
    void headOfUnknownManifestAnswers404WithoutBody() {
        HttpResponse<byte[]> response = http.headManifest(REPO, "no-such-tag");

        assertThat(response.statusCode()).isEqualTo(404);
        assertThat(response.body()).isEmpty();
    }

    @Test
    void manifestOfUnknownRepositoryAnswers404() {
        // "An attempt to pull a nonexistent repository MUST return response code 404 Not Found."
        HttpResponse<byte[]> response = http.getManifest("manifest-pull-nowhere", "latest");

        assertThat(response.statusCode()).isEqualTo(404);
        assertThat(errorCode(response)).isIn("NAME_UNKNOWN", "MANIFEST_UNKNOWN");
    }

    @Test
    void manifestIsNotFoundThroughARepositoryThatDoesNotHoldIt() {
        http.pushImage("manifest-pull-other", "latest");

        assertError(http.getManifest("manifest-pull-other", imageDescriptor.digest()), 404, "MANIFEST_UNKNOWN");
    }

    @Test
    void malformedDigestReferenceAnswers400DigestInvalid() {
        assumeTrue(registry.isBerth(), "Distribution 2.8 takes a malformed digest for a tag and fails with"
                + " 500 UNKNOWN (a storage path error)");
        // "<reference> MUST be either (a) the digest of the manifest or (b) a tag"; this is neither.
        assertError(http.getManifest(REPO, "sha256:" + "0".repeat(63)), 400, "DIGEST_INVALID");
    }

    @ParameterizedTest
    @ValueSource(strings = {"a/b/c/d/e", "dots.and-dashes/under_score__double", "edge/manifests/blobs/uploads",
            "tags/list", "x/referrers"})
    void repositoryNamesWithManyComponentsAndApiPathWordsAreRouted(String repo) {
        // <name> may contain "/" and any word of the API paths; the whole-path grammar decides.
        byte[] manifest = http.imageWithBlobs(repo).json();
        http.pushManifest(repo, "v1", OCI_MANIFEST, manifest);

        assertThat(http.getManifest(repo, "v1").body()).isEqualTo(manifest);
        assertThat(http.getManifest(repo, sha256(manifest)).body()).isEqualTo(manifest);
        HttpResponse<byte[]> tags = http.get("/v2/" + repo + "/tags/list");
        assertThat(RegistryHttp.json(tags).path("name").asText()).isEqualTo(repo);
    }
}
