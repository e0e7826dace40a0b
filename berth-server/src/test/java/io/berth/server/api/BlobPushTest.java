package io.berth.server.api;

import static io.berth.server.api.RegistryHttp.OCTET_STREAM;
import static io.berth.server.api.RegistryHttp.assertError;
import static io.berth.server.api.RegistryHttp.body;
import static io.berth.server.api.RegistryHttp.errorCode;
import static io.berth.server.api.RegistryHttp.header;
import static io.berth.server.api.RegistryHttp.sha256;
import static io.berth.server.api.RegistryHttp.withQuery;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.berth.server.testing.RegistryFixture;
import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.UUID;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * end-4a, end-4b, end-5, end-6, end-13 {@code /v2/<name>/blobs/uploads/…}: spec "Pushing blobs" (monolithic and
 * chunked) and the upload status request.
 */
class BlobPushTest {
    private static final String REPO = "blob-push";
    private static final Pattern UUID_PATTERN =
            Pattern.compile("[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}");

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

    private static HttpResponse<byte[]> patch(URI location, byte[] chunk, String contentRange) {
        return http.send("PATCH", location.toString(), chunk,
                "Content-Type", OCTET_STREAM, "Content-Range", contentRange);
    }

    private static HttpResponse<byte[]> headBlob(String digest) {
        return http.head("/v2/" + REPO + "/blobs/" + digest);
    }

    private static void assertBlobContent(String digest, byte[] content) {
        HttpResponse<byte[]> get = http.get("/v2/" + REPO + "/blobs/" + digest);
        assertThat(get.statusCode()).as("GET blob %s", digest).isEqualTo(200);
        assertThat(get.body()).isEqualTo(content);
    }

    // ---- monolithic: POST then PUT ------------------------------------------------------------------------

    @Test
    void postThenPutPushesABlobAndAnswersAPullableLocation() {
        byte[] content = RegistryHttp.randomBytes(1000);
        String digest = sha256(content);

        // "Upon success, the response MUST have a code of 202 Accepted, and MUST include ... Location"
        HttpResponse<byte[]> post = http.post("/v2/" + REPO + "/blobs/uploads/");
        assertThat(post.statusCode()).isEqualTo(202);
        // The location may be absolute or relative; clients resolve it and keep its query parameters.
        URI upload = http.location(post);

        HttpResponse<byte[]> put = http.send("PUT", withQuery(upload, "digest", digest), content,
                "Content-Type", OCTET_STREAM);

        // "the response MUST have code 201 Created and MUST have ... Location: <blob-location>" (a pullable blob URL)
        assertThat(put.statusCode()).as(body(put)).isEqualTo(201);
        assertThat(header(put, "Docker-Content-Digest")).contains(digest);
        HttpResponse<byte[]> pulled = http.get(http.location(put).toString());
        assertThat(pulled.statusCode()).isEqualTo(200);
        assertThat(pulled.body()).isEqualTo(content);
    }

    /** Berth reads bodies up to 64 KiB whole and streams larger ones: both ways must store exactly the bytes sent. */
    @ParameterizedTest
    @ValueSource(ints = {65_535, 65_536, 65_537, 1_000_000})
    void postThenPutStoresTheExactBytesOnEitherSideOfTheSmallBodyLimit(int size) {
        byte[] content = RegistryHttp.randomBytes(size);
        String digest = sha256(content);
        URI upload = http.location(http.post("/v2/" + REPO + "/blobs/uploads/"));

        HttpResponse<byte[]> put = http.send("PUT", withQuery(upload, "digest", digest), content, "Content-Type", OCTET_STREAM);

        assertThat(put.statusCode()).as(body(put)).isEqualTo(201);
        assertBlobContent(digest, content);
    }

    @ParameterizedTest
    @ValueSource(ints = {65_536, 65_537})
    void putWithTheWrongDigestIsRejectedOnEitherSideOfTheSmallBodyLimit(int size) {
        byte[] content = RegistryHttp.randomBytes(size);
        String claimed = RegistryHttp.unknownDigest();
        URI upload = http.location(http.post("/v2/" + REPO + "/blobs/uploads/"));

        HttpResponse<byte[]> put = http.send("PUT", withQuery(upload, "digest", claimed), content, "Content-Type", OCTET_STREAM);

        assertError(put, 400, "DIGEST_INVALID");
        assertThat(headBlob(claimed).statusCode()).isEqualTo(404);
        assertThat(headBlob(sha256(content)).statusCode()).isEqualTo(404);
    }

    @Test
    void uploadLocationContainsAUniqueSessionUuid() {
        // "The <location> MUST contain a UUID representing a unique session ID for the upload to follow."
        URI first = http.startUpload(REPO);
        URI second = http.startUpload(REPO);

        assertThat(UUID_PATTERN.matcher(first.toString()).find()).as("UUID in %s", first).isTrue();
        assertThat(first).isNotEqualTo(second);
    }

    @Test
    void pushingContentThatIsAlreadyStoredSucceedsAgain() {
        // Use case "Layer Upload De-duplication": both uploads of the same layer are accepted.
        byte[] content = RegistryHttp.randomBytes(100);
        http.pushBlob(REPO, content);

        http.pushBlob(REPO, content);

        assertBlobContent(sha256(content), content);
    }

    @Test
    void emptyBlobCanBePushedAndPulled() {
        byte[] empty = new byte[0];

        http.pushBlob(REPO, empty);

        HttpResponse<byte[]> head = headBlob(sha256(empty));
        assertThat(head.statusCode()).isEqualTo(200);
        assertThat(header(head, "Content-Length")).contains("0");
    }

    // ---- monolithic: single POST --------------------------------------------------------------------------

    @Test
    void singlePostWithDigestCreatesTheBlobOrFallsBackToAnUploadSession() {
        // "Registries MAY support pushing blobs using a single POST request." Those that do not "SHOULD return a
        // 202 Accepted status code and Location header and clients SHOULD proceed with a subsequent PUT request".
        byte[] content = RegistryHttp.randomBytes(300);
        String digest = sha256(content);

        HttpResponse<byte[]> post = http.send("POST", "/v2/" + REPO + "/blobs/uploads/?digest=" + digest, content,
                "Content-Type", OCTET_STREAM);

        assertThat(post.statusCode()).as(body(post)).isIn(201, 202);
        if (post.statusCode() == 202) {
            HttpResponse<byte[]> put = http.send("PUT", withQuery(http.location(post), "digest", digest), content,
                    "Content-Type", OCTET_STREAM);
            assertThat(put.statusCode()).as(body(put)).isEqualTo(201);
        } else {
            assertThat(http.get(http.location(post).toString()).body()).isEqualTo(content);
        }
        assertBlobContent(digest, content);
    }

    @Test
    void singlePostWithDigestCreatesTheBlobInOneRequest() {
        assumeTrue(registry.isBerth(), "single-POST push is a MAY; Distribution 2.8 ignores ?digest= and answers 202");
        byte[] content = RegistryHttp.randomBytes(300);
        String digest = sha256(content);

        HttpResponse<byte[]> post = http.send("POST", "/v2/" + REPO + "/blobs/uploads/?digest=" + digest, content,
                "Content-Type", OCTET_STREAM);

        // "Successful completion of the request MUST return a 201 Created and MUST include ... Location"
        assertThat(post.statusCode()).as(body(post)).isEqualTo(201);
        assertThat(http.get(http.location(post).toString()).body()).isEqualTo(content);
    }

    @ParameterizedTest
    @ValueSource(ints = {65_536, 65_537, 1_000_000})
    void singlePostWithDigestStoresTheExactBytesOnEitherSideOfTheSmallBodyLimit(int size) {
        assumeTrue(registry.isBerth(), "single-POST push is a MAY; Distribution 2.8 ignores ?digest= and answers 202");
        byte[] content = RegistryHttp.randomBytes(size);
        String digest = sha256(content);

        HttpResponse<byte[]> post = http.send("POST", "/v2/" + REPO + "/blobs/uploads/?digest=" + digest, content,
                "Content-Type", OCTET_STREAM);

        assertThat(post.statusCode()).as(body(post)).isEqualTo(201);
        assertBlobContent(digest, content);
    }

    @Test
    void singlePostWithWrongDigestIsRejectedAndStoresNothing() {
        assumeTrue(registry.isBerth(), "single-POST push is a MAY; Distribution 2.8 ignores ?digest= and answers 202");
        byte[] content = RegistryHttp.randomBytes(300);
        String claimed = RegistryHttp.unknownDigest();

        HttpResponse<byte[]> post = http.send("POST", "/v2/" + REPO + "/blobs/uploads/?digest=" + claimed, content,
                "Content-Type", OCTET_STREAM);

        // "the <digest> MUST match the blob's digest"; end-4b failure: 400
        assertError(post, 400, "DIGEST_INVALID");
        assertThat(headBlob(claimed).statusCode()).isEqualTo(404);
        assertThat(headBlob(sha256(content)).statusCode()).isEqualTo(404);
    }

    // ---- chunked ------------------------------------------------------------------------------------------

    @Test
    void chunkedUploadWithContentRangeIsClosedByAPutWithoutBody() {
        byte[] content = RegistryHttp.randomBytes(10);
        // "the post request MUST include ... Content-Length: 0" (a bodiless POST sends it)
        URI location = http.startUpload(REPO);

        HttpResponse<byte[]> first = patch(location, Arrays.copyOfRange(content, 0, 4), "0-3");
        // "Each successful chunk upload MUST have a 202 Accepted response code, and MUST have ... Location, Range"
        assertThat(first.statusCode()).as(body(first)).isEqualTo(202);
        assertThat(header(first, "Range")).contains("0-3");
        location = http.location(first);

        HttpResponse<byte[]> second = patch(location, Arrays.copyOfRange(content, 4, 10), "4-9");
        assertThat(second.statusCode()).as(body(second)).isEqualTo(202);
        assertThat(header(second, "Range")).contains("0-9");
        location = http.location(second);

        // "the session MUST be closed with a PUT request" carrying "the <digest> of the whole blob"
        HttpResponse<byte[]> put = http.send("PUT", withQuery(location, "digest", sha256(content)), new byte[0]);
        assertThat(put.statusCode()).as(body(put)).isEqualTo(201);
        assertThat(http.location(put)).isNotNull();
        assertBlobContent(sha256(content), content);
    }

    @Test
    void finalChunkMayBeSentInTheClosingPut() {
        // "The final chunk MAY be uploaded using a PATCH request or it MAY be uploaded in the closing PUT request."
        byte[] content = RegistryHttp.randomBytes(10);
        URI location = http.startUpload(REPO);
        HttpResponse<byte[]> first = patch(location, Arrays.copyOfRange(content, 0, 6), "0-5");
        assertThat(first.statusCode()).as(body(first)).isEqualTo(202);

        HttpResponse<byte[]> put = http.send("PUT", withQuery(http.location(first), "digest", sha256(content)),
                Arrays.copyOfRange(content, 6, 10), "Content-Type", OCTET_STREAM, "Content-Range", "6-9");

        assertThat(put.statusCode()).as(body(put)).isEqualTo(201);
        assertBlobContent(sha256(content), content);
    }

    @Test
    void streamedPatchWithoutContentRangeAppendsTheWholeBody() {
        // A PATCH without Content-Range and with an unknown length (chunked transfer), as docker and containerd send it.
        byte[] content = RegistryHttp.randomBytes(70_000);
        URI location = http.startUpload(REPO);

        HttpResponse<byte[]> patch = http.send("PATCH", location.toString(),
                BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(content)), "Content-Type", OCTET_STREAM);

        assertThat(patch.statusCode()).as(body(patch)).isEqualTo(202);
        assertThat(header(patch, "Range")).contains("0-" + (content.length - 1));
        HttpResponse<byte[]> put = http.send("PUT", withQuery(http.location(patch), "digest", sha256(content)), new byte[0]);
        assertThat(put.statusCode()).as(body(put)).isEqualTo(201);
        assertBlobContent(sha256(content), content);
    }

    @Test
    void uploadStatusAnswers204WithLocationRangeAndUploadUuid() {
        // end-13: "The response to an active upload <location> MUST be a 204 No Content response code, and MUST have
        // ... Location, Range: 0-<end-of-range>"
        URI location = http.startUpload(REPO);
        HttpResponse<byte[]> patch = patch(location, RegistryHttp.randomBytes(5), "0-4");
        assertThat(patch.statusCode()).as(body(patch)).isEqualTo(202);

        HttpResponse<byte[]> status = http.get(http.location(patch).toString());

        assertThat(status.statusCode()).as(body(status)).isEqualTo(204);
        assertThat(header(status, "Range")).contains("0-4");
        assertThat(http.location(status)).isNotNull();
        assertThat(header(status, "Docker-Upload-UUID")).hasValueSatisfying(
                uuid -> assertThat(http.location(status).toString()).contains(uuid));
    }

    @Test
    void outOfOrderChunkIsRejectedWith416AndNotApplied() {
        assumeTrue(registry.isBerth(), "Distribution 2.8 ignores Content-Range on PATCH and appends out-of-order"
                + " chunks (answers 202); the spec requires 416");
        URI location = http.startUpload(REPO);
        HttpResponse<byte[]> first = patch(location, RegistryHttp.randomBytes(4), "0-3");
        assertThat(first.statusCode()).as(body(first)).isEqualTo(202);
        location = http.location(first);

        // "If a chunk is uploaded out of order, the registry MUST respond with a 416 Requested Range Not Satisfiable"
        HttpResponse<byte[]> gap = patch(location, RegistryHttp.randomBytes(4), "6-9");

        assertThat(gap.statusCode()).as(body(gap)).isEqualTo(416);
        // "A GET request may be used to retrieve the current valid offset and upload location."
        HttpResponse<byte[]> status = http.get(location.toString());
        assertThat(status.statusCode()).isEqualTo(204);
        assertThat(header(status, "Range")).contains("0-3");
    }

    @Test
    void outOfOrderChunkResponseCarriesTheUploadsCurrentRange() {
        // Beyond the spec (which only requires the 416): Berth tells the client where to resume.
        assumeTrue(registry.isBerth(), "Distribution 2.8 accepts out-of-order chunks, so it never answers 416");
        URI location = http.startUpload(REPO);
        HttpResponse<byte[]> first = patch(location, RegistryHttp.randomBytes(4), "0-3");
        assertThat(first.statusCode()).as(body(first)).isEqualTo(202);

        HttpResponse<byte[]> overlap = patch(http.location(first), RegistryHttp.randomBytes(4), "2-5");

        assertThat(overlap.statusCode()).isEqualTo(416);
        assertThat(header(overlap, "Range")).contains("0-3");
        assertThat(header(overlap, "Location")).isPresent();
    }

    @Test
    void firstChunkNotStartingAtZeroIsRejectedWith416() {
        assumeTrue(registry.isBerth(), "Distribution 2.8 ignores Content-Range on PATCH (answers 202)");
        URI location = http.startUpload(REPO);

        // "The first chunk's range MUST begin with 0."
        HttpResponse<byte[]> response = patch(location, RegistryHttp.randomBytes(4), "1-4");

        assertThat(response.statusCode()).isEqualTo(416);
    }

    /** Numbers past a long answered 500 until the parsers' fuzz test (issue #16): the client's fault is a 400. */
    @ParameterizedTest
    @ValueSource(strings = {"0-99999999999999999999", "99999999999999999999-99999999999999999999", "0-9223372036854775807"})
    void contentRangeWithNumbersPastALongIsBlobUploadInvalid(String contentRange) {
        assumeTrue(registry.isBerth(), "Distribution 2.8 ignores Content-Range on PATCH (answers 202)");
        URI location = http.startUpload(REPO);

        assertError(patch(location, RegistryHttp.randomBytes(4), contentRange), 400, "BLOB_UPLOAD_INVALID");
    }

    // ---- cancel, mismatch, unknown sessions ----------------------------------------------------------------

    @Test
    void cancelledUploadIsThenUnknown() {
        // DELETE on an upload is not in the v1.1.1 text; it is the Docker Registry API's "Canceling an Upload" (204).
        URI location = http.startUpload(REPO);

        HttpResponse<byte[]> cancel = http.delete(location.toString());

        assertThat(cancel.statusCode()).as(body(cancel)).isEqualTo(204);
        assertError(http.get(location.toString()), 404, "BLOB_UPLOAD_UNKNOWN");
        assertError(http.send("PATCH", location.toString(), RegistryHttp.randomBytes(3), "Content-Type", OCTET_STREAM),
                404, "BLOB_UPLOAD_UNKNOWN");
    }

    @Test
    void completedUploadIsThenUnknown() {
        byte[] content = RegistryHttp.randomBytes(20);
        URI location = http.startUpload(REPO);
        HttpResponse<byte[]> put = http.send("PUT", withQuery(location, "digest", sha256(content)), content,
                "Content-Type", OCTET_STREAM);
        assertThat(put.statusCode()).isEqualTo(201);

        assertError(http.get(location.toString()), 404, "BLOB_UPLOAD_UNKNOWN");
    }

    @Test
    void digestMismatchOnClosingPutIsRejectedAndTheBlobIsNotVisible() {
        byte[] content = RegistryHttp.randomBytes(50);
        String claimed = RegistryHttp.unknownDigest();
        URI location = http.startUpload(REPO);

        HttpResponse<byte[]> put = http.send("PUT", withQuery(location, "digest", claimed), content,
                "Content-Type", OCTET_STREAM);

        // end-6 failure 400; code-4 DIGEST_INVALID "provided digest did not match uploaded content"
        assertError(put, 400, "DIGEST_INVALID");
        assertThat(headBlob(claimed).statusCode()).isEqualTo(404);
        assertThat(headBlob(sha256(content)).statusCode()).isEqualTo(404);
    }

    @ParameterizedTest
    @ValueSource(strings = {"GET", "PATCH", "PUT", "DELETE"})
    void unknownUploadIdAnswers404(String method) {
        // end-5, end-6, end-13 failure: 404
        String path = "/v2/" + REPO + "/blobs/uploads/" + UUID.randomUUID();
        String target = method.equals("PUT") ? path + "?digest=" + RegistryHttp.unknownDigest() : path;

        HttpResponse<byte[]> response = http.send(method, target, method.equals("PATCH") ? new byte[] {1} : new byte[0]);

        assertThat(response.statusCode()).as(body(response)).isEqualTo(404);
    }

    @ParameterizedTest
    @ValueSource(strings = {"GET", "PATCH", "PUT", "DELETE"})
    void unknownUploadIdIsReportedAsBlobUploadUnknown(String method) {
        assumeTrue(registry.isBerth(), "Distribution 2.8 answers 404 with BLOB_UPLOAD_INVALID for an upload id it"
                + " did not issue (its signed _state parameter is missing)");
        String path = "/v2/" + REPO + "/blobs/uploads/" + UUID.randomUUID();
        String target = method.equals("PUT") ? path + "?digest=" + RegistryHttp.unknownDigest() : path;

        HttpResponse<byte[]> response = http.send(method, target, method.equals("PATCH") ? new byte[] {1} : new byte[0]);

        // code-3 BLOB_UPLOAD_UNKNOWN "blob upload unknown to registry"
        assertError(response, 404, "BLOB_UPLOAD_UNKNOWN");
    }

    // ---- repository names ---------------------------------------------------------------------------------

    @ParameterizedTest
    @ValueSource(strings = {"Upper", "a..b", "trailing-", "-leading", "a/_b", "a___b"})
    void uploadToAnInvalidRepositoryNameIsRejected(String name) {
        // <name> "MUST match" [a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*(\/[a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*)*
        HttpResponse<byte[]> response = http.post("/v2/" + name + "/blobs/uploads/");

        assertThat(response.statusCode()).as(body(response)).isIn(400, 404);
    }

    @ParameterizedTest
    @ValueSource(strings = {"Upper", "a..b", "trailing-", "-leading", "a//b", "a/_b", "a___b"})
    void invalidRepositoryNameIsReportedAsNameInvalid(String name) {
        assumeTrue(registry.isBerth(), "Distribution 2.8's router does not match such names and answers a"
                + " plain-text 404 page instead of the code-8 NAME_INVALID error");
        HttpResponse<byte[]> response = http.post("/v2/" + name + "/blobs/uploads/");

        assertError(response, 400, "NAME_INVALID");
        assertThat(errorCode(response)).isEqualTo("NAME_INVALID");
    }
}
