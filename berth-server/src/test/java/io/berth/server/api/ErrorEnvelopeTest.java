package io.berth.server.api;

import static io.berth.server.api.RegistryHttp.OCI_MANIFEST;
import static io.berth.server.api.RegistryHttp.body;
import static io.berth.server.api.RegistryHttp.contentType;
import static io.berth.server.api.RegistryHttp.header;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.berth.server.testing.RegistryFixture;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.Set;
import java.util.UUID;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Spec "Error Codes": the JSON error envelope, and answers to paths and methods the API does not have. */
class ErrorEnvelopeTest {
    /** The spec's code-1 … code-14. */
    private static final Set<String> SPEC_CODES = Set.of("BLOB_UNKNOWN", "BLOB_UPLOAD_INVALID", "BLOB_UPLOAD_UNKNOWN",
            "DIGEST_INVALID", "MANIFEST_BLOB_UNKNOWN", "MANIFEST_INVALID", "MANIFEST_UNKNOWN", "NAME_INVALID",
            "NAME_UNKNOWN", "SIZE_INVALID", "UNAUTHORIZED", "DENIED", "UNSUPPORTED", "TOOMANYREQUESTS");
    private static final String REPO = "errors/repo";

    @TempDir
    static Path dataDir;
    static RegistryFixture registry;
    static RegistryHttp http;

    @BeforeAll
    static void start() {
        registry = RegistryFixture.start(dataDir);
        http = new RegistryHttp(registry.baseUri());
        http.pushImage(REPO, "v1");
    }

    @AfterAll
    static void stop() {
        registry.close();
    }

    /** Asserts the envelope: {@code {"errors":[{"code":…,"message":…,"detail":…}]}} as application/json. */
    private static void assertEnvelope(HttpResponse<byte[]> response) {
        assertThat(contentType(response)).as("Content-Type of %s", body(response)).isEqualTo("application/json");
        JsonNode errors = RegistryHttp.json(response).path("errors");
        assertThat(errors.isArray() && !errors.isEmpty()).as("non-empty errors array in %s", body(response)).isTrue();
        for (JsonNode error : errors) {
            // "The code field MUST be a unique identifier, containing only uppercase alphabetic characters and
            // underscores." "The code field MUST be one of the following" (code-1 … code-14)
            assertThat(error.path("code").asText()).matches("[A-Z_]+").isIn(SPEC_CODES);
            // "The message field is OPTIONAL, and if present, it SHOULD be a human readable string or MAY be empty."
            if (error.has("message")) {
                assertThat(error.get("message").isTextual()).as("message is a string").isTrue();
            }
        }
    }

    static Stream<Arguments> errors() {
        String unknown = RegistryHttp.unknownDigest();
        return Stream.of(
                Arguments.of("unknown blob", (Supplier<HttpResponse<byte[]>>) () ->
                        http.get("/v2/" + REPO + "/blobs/" + unknown), 404, "BLOB_UNKNOWN"),
                Arguments.of("unknown manifest", (Supplier<HttpResponse<byte[]>>) () ->
                        http.getManifest(REPO, "no-such-tag"), 404, "MANIFEST_UNKNOWN"),
                Arguments.of("unknown repository", (Supplier<HttpResponse<byte[]>>) () ->
                        http.get("/v2/errors/nowhere/tags/list"), 404, "NAME_UNKNOWN"),
                Arguments.of("malformed digest", (Supplier<HttpResponse<byte[]>>) () ->
                        http.get("/v2/" + REPO + "/blobs/sha256:1234"), 400, "DIGEST_INVALID"),
                Arguments.of("malformed manifest", (Supplier<HttpResponse<byte[]>>) () ->
                        http.putManifest(REPO, "broken", OCI_MANIFEST, RegistryHttp.utf8("not json")), 400, "MANIFEST_INVALID"),
                Arguments.of("manifest blob unknown", (Supplier<HttpResponse<byte[]>>) () ->
                        http.putManifest(REPO, "dangling", OCI_MANIFEST, RegistryHttp.ImageManifest.of(
                                new RegistryHttp.Descriptor(RegistryHttp.OCI_CONFIG, unknown, 10)).json()),
                        -1, "MANIFEST_BLOB_UNKNOWN"),
                Arguments.of("digest mismatch", (Supplier<HttpResponse<byte[]>>) () -> http.send("PUT",
                        RegistryHttp.withQuery(http.startUpload(REPO), "digest", unknown), new byte[] {1, 2, 3},
                        "Content-Type", RegistryHttp.OCTET_STREAM), 400, "DIGEST_INVALID"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("errors")
    void errorsAreAnsweredWithTheJsonEnvelope(String what, Supplier<HttpResponse<byte[]>> request, int status, String code) {
        HttpResponse<byte[]> response = request.get();

        if (status > 0) {
            assertThat(response.statusCode()).as(body(response)).isEqualTo(status);
        } else {
            assertThat(response.statusCode()).as(body(response)).isBetween(400, 499);
        }
        assertEnvelope(response);
        assertThat(RegistryHttp.errorCodes(response)).contains(code);
    }

    @Test
    void errorOnHeadHasNoBody() {
        HttpResponse<byte[]> response = http.head("/v2/" + REPO + "/blobs/" + RegistryHttp.unknownDigest());

        assertThat(response.statusCode()).isEqualTo(404);
        assertThat(response.body()).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"/nothing", "/v2/errors/repo/nothing", "/v2/errors/repo/blobs", "/v3/"})
    void unknownPathAnswers404(String path) {
        assertThat(http.get(path).statusCode()).isEqualTo(404);
    }

    @ParameterizedTest
    @ValueSource(strings = {"/nothing", "/v2/errors/repo/nothing", "/v2/errors/repo/blobs", "/v3/"})
    void unknownPathAnswersTheJsonEnvelope(String path) {
        assumeTrue(registry.isBerth(), "Distribution 2.8 answers unknown paths with a plain-text '404 page not found'"
                + " (the spec allows any body format on a 4xx)");
        HttpResponse<byte[]> response = http.get(path);

        assertThat(response.statusCode()).isEqualTo(404);
        assertThat(contentType(response)).isEqualTo("application/json");
        assertThat(RegistryHttp.json(response).path("errors").isArray()).isTrue();
    }

    @Test
    void unsupportedMethodOnAKnownPathAnswers405WithAllow() {
        // The spec's table lists the methods of each endpoint; RFC 9110 section 15.5.6: a 405 "MUST generate an
        // Allow header field" listing the supported methods.
        HttpResponse<byte[]> response = http.send("POST", "/v2/" + REPO + "/manifests/v1", BodyPublishers.noBody());

        assertThat(response.statusCode()).isEqualTo(405);
        assertThat(header(response, "Allow")).hasValueSatisfying(allow ->
                assertThat(allow).contains("GET", "HEAD", "PUT", "DELETE").doesNotContain("POST"));
    }

    @Test
    void unsupportedMethodOnABlobAnswers405() {
        HttpResponse<byte[]> response = http.send("PATCH",
                "/v2/" + REPO + "/blobs/" + RegistryHttp.unknownDigest(), new byte[] {1});

        assertThat(response.statusCode()).isEqualTo(405);
        assertThat(header(response, "Allow")).isPresent();
    }

    @Test
    void unsupportedMethodAnswersUnsupportedInTheJsonEnvelope() {
        assumeTrue(registry.isBerth(), "Distribution 2.8 answers 405 with a plain-text body");
        HttpResponse<byte[]> response = http.send("POST", "/v2/" + REPO + "/manifests/v1", BodyPublishers.noBody());

        assertThat(response.statusCode()).isEqualTo(405);
        assertEnvelope(response);
        // code-13 UNSUPPORTED "the operation is unsupported"
        assertThat(RegistryHttp.errorCode(response)).isEqualTo("UNSUPPORTED");
    }

    @Test
    void unknownUploadSessionIsAnEnvelopeError() {
        HttpResponse<byte[]> response = http.get("/v2/" + REPO + "/blobs/uploads/" + UUID.randomUUID());

        assertThat(response.statusCode()).isEqualTo(404);
        assertEnvelope(response);
    }
}
