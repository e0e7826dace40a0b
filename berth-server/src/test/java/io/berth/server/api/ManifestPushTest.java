package io.berth.server.api;

import static io.berth.server.api.RegistryHttp.OCI_EMPTY;
import static io.berth.server.api.RegistryHttp.OCI_INDEX;
import static io.berth.server.api.RegistryHttp.OCI_MANIFEST;
import static io.berth.server.api.RegistryHttp.assertError;
import static io.berth.server.api.RegistryHttp.body;
import static io.berth.server.api.RegistryHttp.errorCodes;
import static io.berth.server.api.RegistryHttp.header;
import static io.berth.server.api.RegistryHttp.sha256;
import static io.berth.server.api.RegistryHttp.utf8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.berth.server.api.RegistryHttp.Descriptor;
import io.berth.server.api.RegistryHttp.ImageManifest;
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

/** end-7 {@code PUT /v2/<name>/manifests/<reference>}: spec "Pushing Manifests" and "Pushing Manifests with Subject". */
class ManifestPushTest {
    private static final String REPO = "manifest-push";
    /** "Client and registry implementations SHOULD expect to be able to support manifest pushes of at least 4 megabytes." */
    private static final int FOUR_MIB = 4 * 1024 * 1024;

    @TempDir
    static Path dataDir;
    static RegistryFixture registry;
    static RegistryHttp http;

    @BeforeAll
    static void start() {
        registry = RegistryFixture.start(dataDir);
        http = new RegistryHttp(registry.baseUri());
    }

    @AfterAll
    static void stop() {
        registry.close();
    }

    /** An image manifest padded with an annotation to exactly {@code size} bytes. */
    private static byte[] manifestOfSize(ImageManifest manifest, int size) {
        ObjectNode tree = manifest.tree();
        ObjectNode annotations = tree.putObject("annotations");
        annotations.put("pad", "");
        int missing = size - RegistryHttp.toBytes(tree).length;
        annotations.put("pad", "x".repeat(missing));
        byte[] bytes = RegistryHttp.toBytes(tree);
        assertThat(bytes).hasSize(size);
        return bytes;
    }

    @Test
    void pushByTagAnswers201WithPullableLocationAndDigest() {
        byte[] manifest = http.imageWithBlobs(REPO).json();

        HttpResponse<byte[]> put = http.putManifest(REPO, "bytag", OCI_MANIFEST, manifest);

        // "the registry MUST return response code 201 Created, and MUST have ... Location: <location>"
        assertThat(put.statusCode()).as(body(put)).isEqualTo(201);
        // Docker-Content-Digest "MUST be equal to the client provided digest"
        assertThat(header(put, "Docker-Content-Digest")).contains(sha256(manifest));
        HttpResponse<byte[]> pulled = http.get(http.location(put).toString(), "Accept", RegistryHttp.ACCEPT_MANIFESTS);
        assertThat(pulled.statusCode()).isEqualTo(200);
        assertThat(pulled.body()).isEqualTo(manifest);
    }

    @Test
    void pushByDigestAnswers201WithPullableLocationAndDigest() {
        byte[] manifest = http.imageWithBlobs(REPO).json();
        String digest = sha256(manifest);

        HttpResponse<byte[]> put = http.putManifest(REPO, digest, OCI_MANIFEST, manifest);

        assertThat(put.statusCode()).as(body(put)).isEqualTo(201);
        assertThat(header(put, "Docker-Content-Digest")).contains(digest);
        assertThat(http.get(http.location(put).toString(), "Accept", RegistryHttp.ACCEPT_MANIFESTS).body())
                .isEqualTo(manifest);
    }

    @Test
    void pushByDigestWhoseBytesHashDifferentlyIsRejectedWithDigestInvalid() {
        byte[] manifest = http.imageWithBlobs(REPO).json();
        String wrong = RegistryHttp.unknownDigest();

        HttpResponse<byte[]> put = http.putManifest(REPO, wrong, OCI_MANIFEST, manifest);

        // code-4 DIGEST_INVALID "provided digest did not match uploaded content"
        assertError(put, 400, "DIGEST_INVALID");
        assertThat(http.headManifest(REPO, wrong).statusCode()).isEqualTo(404);
    }

    @Test
    void pushingAnotherManifestToATagMovesTheTag() {
        http.pushImage(REPO, "moving");
        byte[] second = http.imageWithBlobs(REPO).json();

        http.pushManifest(REPO, "moving", OCI_MANIFEST, second);

        assertThat(http.getManifest(REPO, "moving").body()).isEqualTo(second);
    }

    @Test
    void contentTypeParametersAreIgnored() {
        // "The registry SHOULD ignore parameters on the Content-Type header."
        byte[] manifest = http.imageWithBlobs(REPO).json();

        HttpResponse<byte[]> put = http.putManifest(REPO, "withparams", OCI_MANIFEST + "; charset=utf-8", manifest);

        assertThat(put.statusCode()).as(body(put)).isEqualTo(201);
        assertThat(http.getManifest(REPO, "withparams").body()).isEqualTo(manifest);
    }

    @Test
    void artifactManifestWithEmptyConfigAndUnknownLayerTypeIsAccepted() {
        // image-spec "Guidelines for Artifact Usage"; implementations "MUST NOT error on encountering a mediaType
        // that is unknown" nor "an artifactType that is unknown".
        Descriptor empty = http.pushBlob(REPO, OCI_EMPTY, RegistryHttp.EMPTY_JSON);
        Descriptor payload = http.pushBlob(REPO, "application/vnd.example.payload.v1+tar", RegistryHttp.randomBytes(40));
        byte[] manifest = ImageManifest.of(empty).layer(payload).artifactType("application/vnd.example.thing.v1")
                .annotation("org.example.key", "value").json();

        HttpResponse<byte[]> put = http.putManifest(REPO, "artifact", OCI_MANIFEST, manifest);

        assertThat(put.statusCode()).as(body(put)).isEqualTo(201);
        assertThat(http.getManifest(REPO, "artifact").body()).isEqualTo(manifest);
    }

    @Test
    void manifestReferencingAnUnknownBlobIsRejectedWithManifestBlobUnknown() {
        // "A registry MAY reject a manifest ... with descriptors ... that reference a manifest or blob that does not
        // exist in the registry. When a manifest is rejected for this reason, it MUST result in one or more
        // MANIFEST_BLOB_UNKNOWN errors." The spec names no status; Distribution answers 400.
        Descriptor config = http.pushBlob(REPO, RegistryHttp.OCI_CONFIG, utf8("{\"architecture\":\"arm64\"}"));
        Descriptor missing = new Descriptor(RegistryHttp.OCI_LAYER, RegistryHttp.unknownDigest(), 1234);
        byte[] manifest = ImageManifest.of(config).layer(missing).json();

        HttpResponse<byte[]> put = http.putManifest(REPO, "missingblob", OCI_MANIFEST, manifest);

        assertThat(put.statusCode()).as(body(put)).isIn(400, 404);
        assertThat(errorCodes(put)).contains("MANIFEST_BLOB_UNKNOWN");
        assertThat(http.headManifest(REPO, "missingblob").statusCode()).isEqualTo(404);
    }

    @Test
    void manifestWhoseConfigIsUnknownIsRejectedWithManifestBlobUnknown() {
        Descriptor layer = http.pushBlob(REPO, RegistryHttp.randomBytes(30));
        Descriptor missingConfig = new Descriptor(RegistryHttp.OCI_CONFIG, RegistryHttp.unknownDigest(), 99);

        HttpResponse<byte[]> put = http.putManifest(REPO, "missingconfig", OCI_MANIFEST,
                ImageManifest.of(missingConfig).layer(layer).json());

        assertThat(put.statusCode()).as(body(put)).isIn(400, 404);
        assertThat(errorCodes(put)).contains("MANIFEST_BLOB_UNKNOWN");
    }

    @Test
    void indexWithAnUnknownChildManifestIsRejectedWithManifestBlobUnknown() {
        Descriptor known = http.pushImage(REPO, "child");
        Descriptor unknown = new Descriptor(OCI_MANIFEST, RegistryHttp.unknownDigest(), 500);

        HttpResponse<byte[]> put = http.putManifest(REPO, "badindex", OCI_INDEX,
                RegistryHttp.imageIndex(List.of(known, unknown)));

        assertThat(put.statusCode()).as(body(put)).isIn(400, 404);
        assertThat(errorCodes(put)).contains("MANIFEST_BLOB_UNKNOWN");
    }

    @Test
    void indexOverKnownManifestsIsAccepted() {
        Descriptor first = http.pushImage(REPO, "amd64");
        Descriptor second = http.pushImage(REPO, "arm64");
        byte[] index = RegistryHttp.imageIndex(List.of(first, second));

        HttpResponse<byte[]> put = http.putManifest(REPO, "multiarch", OCI_INDEX, index);

        assertThat(put.statusCode()).as(body(put)).isEqualTo(201);
        assertThat(header(put, "Docker-Content-Digest")).contains(sha256(index));
    }

    @ParameterizedTest
    @ValueSource(strings = {"-leading-dash", ".leading-dot", "has+plus", "x129"})
    void invalidTagIsRejectedAndNothingIsStored(String tag) {
        // A tag "MUST be at most 128 characters in length and MUST match [a-zA-Z0-9_][a-zA-Z0-9._-]{0,127}".
        String reference = tag.equals("x129") ? "x".repeat(129) : tag;
        byte[] manifest = http.imageWithBlobs(REPO).json();

        HttpResponse<byte[]> put = http.putManifest(REPO, reference, OCI_MANIFEST, manifest);

        assertThat(put.statusCode()).as(body(put)).isBetween(400, 499);
        assertThat(http.headManifest(REPO, sha256(manifest)).statusCode()).isEqualTo(404);
    }

    @ParameterizedTest
    @ValueSource(strings = {"-leading-dash", ".leading-dot", "has+plus", "x129"})
    void invalidTagIsReportedAsTagInvalidOrManifestInvalid(String tag) {
        assumeTrue(registry.isBerth(), "Distribution 2.8's router does not match invalid tags and answers a"
                + " plain-text 404 page");
        String reference = tag.equals("x129") ? "x".repeat(129) : tag;

        HttpResponse<byte[]> put = http.putManifest(REPO, reference, OCI_MANIFEST, http.imageWithBlobs(REPO).json());

        assertThat(put.statusCode()).as(body(put)).isEqualTo(400);
        assertThat(errorCodes(put)).containsAnyOf("TAG_INVALID", "MANIFEST_INVALID");
    }

    @Test
    void tagOf128CharactersIsAccepted() {
        String tag = "t".repeat(128);

        http.pushImage(REPO, tag);

        assertThat(http.headManifest(REPO, tag).statusCode()).isEqualTo(200);
    }

    @Test
    void malformedJsonIsRejectedWithManifestInvalid() {
        HttpResponse<byte[]> put = http.putManifest(REPO, "malformed", OCI_MANIFEST,
                utf8("{\"schemaVersion\":2,\"mediaType\":"));

        // code-6 MANIFEST_INVALID
        assertError(put, 400, "MANIFEST_INVALID");
    }

    @Test
    void schema1ManifestIsRefused() {
        // Docker schema 1 is legacy (spec "Legacy Docker support error codes"); neither Berth nor Distribution 2.8
        // (by default) stores it.
        byte[] schema1 = utf8("{\"schemaVersion\":1,\"name\":\"manifest-push\",\"tag\":\"old\",\"architecture\":\"amd64\","
                + "\"fsLayers\":[],\"history\":[]}");

        HttpResponse<byte[]> put = http.putManifest(REPO, "old", "application/vnd.docker.distribution.manifest.v1+prettyjws",
                schema1);

        assertError(put, 400, "MANIFEST_INVALID");
        assertThat(http.headManifest(REPO, "old").statusCode()).isEqualTo(404);
    }

    @Test
    void manifestOfFourMebibytesIsAccepted() {
        byte[] manifest = manifestOfSize(http.imageWithBlobs(REPO), FOUR_MIB);

        HttpResponse<byte[]> put = http.putManifest(REPO, "large", OCI_MANIFEST, manifest);

        assertThat(put.statusCode()).as(body(put)).isEqualTo(201);
        assertThat(http.getManifest(REPO, "large").body()).isEqualTo(manifest);
    }

    @Test
    void manifestOverFourMebibytesIsRejectedWith413() {
        assumeTrue(registry.isBerth(), "Distribution 2.8 also limits manifests to 4 MiB but answers"
                + " 400 MANIFEST_INVALID ('http: request body too large') instead of the spec's 413");
        byte[] manifest = manifestOfSize(http.imageWithBlobs(REPO), FOUR_MIB + 1);

        HttpResponse<byte[]> put = http.putManifest(REPO, "toolarge", OCI_MANIFEST, manifest);

        // "A registry that enforces this limit SHOULD respond ... with a response code 413 Payload Too Large."
        assertThat(put.statusCode()).as(body(put)).isEqualTo(413);
        assertThat(http.headManifest(REPO, "toolarge").statusCode()).isEqualTo(404);
    }

    @Test
    void manifestWithSubjectThatDoesNotExistIsAccepted() {
        // "A registry MUST initially accept an otherwise valid manifest with a subject field that references a
        // manifest that does not exist in the repository"
        Descriptor absent = new Descriptor(OCI_MANIFEST, RegistryHttp.unknownDigest(), 321);
        byte[] referrer = http.imageWithBlobs(REPO).subject(absent).artifactType("application/vnd.example.sbom.v1").json();

        HttpResponse<byte[]> put = http.putManifest(REPO, sha256(referrer), OCI_MANIFEST, referrer);

        assertThat(put.statusCode()).as(body(put)).isEqualTo(201);
        assertThat(http.getManifest(REPO, sha256(referrer)).body()).isEqualTo(referrer);
    }

    @Test
    void manifestWithSubjectIsAnsweredWithOciSubjectHeader() {
        assumeTrue(registry.isBerth(), "Distribution 2.8 has no referrers API, so it neither processes `subject`"
                + " nor sends OCI-Subject");
        Descriptor subject = http.pushImage(REPO, "subject");
        byte[] referrer = http.imageWithBlobs(REPO).subject(subject).artifactType("application/vnd.example.sbom.v1").json();

        HttpResponse<byte[]> put = http.putManifest(REPO, sha256(referrer), OCI_MANIFEST, referrer);

        // "a registry implementation that supports the referrers API MUST respond with the response header
        // OCI-Subject: <subject digest>"
        assertThat(put.statusCode()).as(body(put)).isEqualTo(201);
        assertThat(header(put, "OCI-Subject")).contains(subject.digest());
    }

    @Test
    void manifestWithMissingSubjectIsAnsweredWithOciSubjectHeader() {
        assumeTrue(registry.isBerth(), "Distribution 2.8 has no referrers API and sends no OCI-Subject");
        Descriptor absent = new Descriptor(OCI_MANIFEST, RegistryHttp.unknownDigest(), 321);
        byte[] referrer = http.imageWithBlobs(REPO).subject(absent).artifactType("application/vnd.example.sig.v1").json();

        HttpResponse<byte[]> put = http.putManifest(REPO, sha256(referrer), OCI_MANIFEST, referrer);

        assertThat(put.statusCode()).as(body(put)).isEqualTo(201);
        assertThat(header(put, "OCI-Subject")).contains(absent.digest());
    }

    @Test
    void pushToUnknownRepositoryCreatesIt() {
        // Pushing is how a repository comes to exist; there is no separate "create repository" call.
        http.pushImage("manifest-push/brand-new/repo", "v1");

        assertThat(http.headManifest("manifest-push/brand-new/repo", "v1").statusCode()).isEqualTo(200);
    }
}
