package io.berth.server.api;

import static io.berth.server.api.RegistryHttp.assertError;
import static io.berth.server.api.RegistryHttp.header;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.berth.server.api.RegistryHttp.Descriptor;
import io.berth.server.testing.RegistryFixture;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** end-2 {@code GET/HEAD /v2/<name>/blobs/<digest>}: spec "Pulling blobs" and "Checking if content exists". */
class BlobPullTest {
    private static final String REPO = "blob-pull";
    private static final byte[] CONTENT = RegistryHttp.utf8("0123456789abcdefghij");

    @TempDir
    static Path dataDir;
    static RegistryFixture registry;
    static RegistryHttp http;
    static Descriptor blob;

    @BeforeAll
    static void start() {
        registry = RegistryFixture.start(dataDir);
        http = new RegistryHttp(registry.baseUri());
        blob = http.pushBlob(REPO, CONTENT);
    }

    @AfterAll
    static void stop() {
        registry.close();
    }

    private static String blobPath(String digest) {
        return "/v2/" + REPO + "/blobs/" + digest;
    }

    @Test
    void getBlobReturnsTheContentWithDigestAndLength() {
        // "A GET request to an existing blob URL MUST provide the expected blob, with a response code that MUST be 200 OK."
        HttpResponse<byte[]> response = http.get(blobPath(blob.digest()));

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).isEqualTo(CONTENT);
        // "If present, the value of this header MUST be a digest matching that of the response body."
        assertThat(header(response, "Docker-Content-Digest")).contains(blob.digest());
        assertThat(header(response, "Content-Length")).contains(String.valueOf(CONTENT.length));
    }

    @Test
    void headBlobAnswers200WithDigestAndLengthButNoBody() {
        // "A HEAD request to an existing blob or manifest URL MUST return 200 OK." ... "SHOULD contain ... Content-Length"
        HttpResponse<byte[]> response = http.head(blobPath(blob.digest()));

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).isEmpty();
        assertThat(header(response, "Docker-Content-Digest")).contains(blob.digest());
        assertThat(header(response, "Content-Length")).contains(String.valueOf(CONTENT.length));
    }

    @Test
    void rangeRequestReturnsPartialContent() {
        // "A registry SHOULD support the Range request header in accordance with RFC 9110."
        HttpResponse<byte[]> response = http.get(blobPath(blob.digest()), "Range", "bytes=3-7");

        assertThat(response.statusCode()).isEqualTo(206);
        assertThat(response.body()).isEqualTo(Arrays.copyOfRange(CONTENT, 3, 8));
        assertThat(header(response, "Content-Range")).contains("bytes 3-7/" + CONTENT.length);
        assertThat(header(response, "Content-Length")).contains("5");
    }

    @Test
    void openEndedRangeResumesAnInterruptedPull() {
        // Use case "Resumable Pull": the client keeps the partial data and asks for the rest.
        HttpResponse<byte[]> response = http.get(blobPath(blob.digest()), "Range", "bytes=15-");

        assertThat(response.statusCode()).isEqualTo(206);
        assertThat(response.body()).isEqualTo(Arrays.copyOfRange(CONTENT, 15, CONTENT.length));
        assertThat(header(response, "Content-Range")).contains("bytes 15-19/" + CONTENT.length);
    }

    @Test
    void suffixRangeReturnsTheLastBytes() {
        HttpResponse<byte[]> response = http.get(blobPath(blob.digest()), "Range", "bytes=-4");

        assertThat(response.statusCode()).isEqualTo(206);
        assertThat(response.body()).isEqualTo(Arrays.copyOfRange(CONTENT, 16, 20));
        assertThat(header(response, "Content-Range")).contains("bytes 16-19/" + CONTENT.length);
    }

    @Test
    void unsatisfiableRangeAnswers416WithTheCompleteLength() {
        assumeTrue(registry.isBerth(), "Distribution 2.8 answers 416 with 'Content-Range: bytes */<size>' but keeps"
                + " the blob's Content-Length on an empty body, a malformed message the JDK client rejects");
        // RFC 9110 section 15.5.17: 416, and a Content-Range "bytes */<complete-length>".
        HttpResponse<byte[]> response = http.get(blobPath(blob.digest()), "Range", "bytes=100-200");

        assertThat(response.statusCode()).isEqualTo(416);
        assertThat(header(response, "Content-Range")).contains("bytes */" + CONTENT.length);
    }

    @Test
    void getUnknownBlobAnswers404BlobUnknown() {
        // "If the blob is not found in the repository, the response code MUST be 404 Not Found." (code-1 BLOB_UNKNOWN)
        HttpResponse<byte[]> response = http.get(blobPath(RegistryHttp.unknownDigest()));

        assertError(response, 404, "BLOB_UNKNOWN");
    }

    @Test
    void headUnknownBlobAnswers404WithoutBody() {
        HttpResponse<byte[]> response = http.head(blobPath(RegistryHttp.unknownDigest()));

        assertThat(response.statusCode()).isEqualTo(404);
        assertThat(response.body()).isEmpty();
    }

    @Test
    void blobIsNotFoundThroughARepositoryThatDoesNotHoldIt() {
        // Blobs are addressed within a repository: "If the blob is not found in the repository ... 404".
        HttpResponse<byte[]> response = http.get("/v2/blob-pull-elsewhere/blobs/" + blob.digest());

        assertError(response, 404, "BLOB_UNKNOWN");
    }

    @Test
    void malformedDigestAnswers400DigestInvalid() {
        // A sha256 digest must have 64 hex characters (image-spec descriptor.md "Digests"); this one has 63.
        HttpResponse<byte[]> response = http.get(blobPath("sha256:" + "a".repeat(63)));

        assertError(response, 400, "DIGEST_INVALID");
    }

    @Test
    void unsupportedDigestAlgorithmAnswers400DigestInvalid() {
        HttpResponse<byte[]> response = http.get(blobPath("sha999:" + "a".repeat(64)));

        assertError(response, 400, "DIGEST_INVALID");
    }
}
