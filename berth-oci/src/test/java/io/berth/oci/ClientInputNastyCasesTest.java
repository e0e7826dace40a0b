package io.berth.oci;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The nasty inputs of the berth-oci fuzz tests as plain cases: each parser answers its own 4xx code, never another
 * exception (no StackOverflowError from deep nesting or long repetitions, no NumberFormatException from huge numbers).
 */
class ClientInputNastyCasesTest {
    private static final String HEX = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

    static Stream<Arguments> rejected() {
        return Stream.of(
                Arguments.of("digest of Arabic-Indic digits", (Runnable) () -> Digest.parse("sha256:" + "\u0661".repeat(64)), ErrorCode.DIGEST_INVALID),
                Arguments.of("digest with upper-case hex", (Runnable) () -> Digest.parse("sha256:" + HEX.toUpperCase()), ErrorCode.DIGEST_INVALID),
                Arguments.of("digest of 100,000 characters", (Runnable) () -> Digest.parse("sha256:" + "a".repeat(100_000)), ErrorCode.DIGEST_INVALID),
                Arguments.of("digest of whitespace", (Runnable) () -> Digest.parse(" "), ErrorCode.DIGEST_INVALID),
                Arguments.of("empty tag", (Runnable) () -> Reference.parse(""), ErrorCode.TAG_INVALID),
                Arguments.of("tag of 129 characters", (Runnable) () -> Reference.parse("a".repeat(129)), ErrorCode.TAG_INVALID),
                Arguments.of("reference with a colon", (Runnable) () -> Reference.parse("a:b"), ErrorCode.DIGEST_INVALID),
                Arguments.of("name of 100,000 dotted segments", (Runnable) () -> Repository.of("a.".repeat(100_000) + "a"), ErrorCode.NAME_INVALID),
                Arguments.of("name of percent-encoding", (Runnable) () -> Repository.of("samples%2Fapp"), ErrorCode.NAME_INVALID),
                Arguments.of("name with a Unicode letter", (Runnable) () -> Repository.of("caf\u00e9"), ErrorCode.NAME_INVALID),
                Arguments.of("manifest nested 100,000 deep", (Runnable) () -> manifest("[".repeat(100_000) + "]".repeat(100_000)), ErrorCode.MANIFEST_INVALID),
                Arguments.of("manifest with objects nested 5,000 deep",
                        (Runnable) () -> manifest("{\"schemaVersion\":2,\"annotations\":" + "{\"a\":".repeat(5_000) + "1" + "}".repeat(5_001)), ErrorCode.MANIFEST_INVALID),
                Arguments.of("size of 2,000 digits", (Runnable) () -> manifest(ociManifest("9".repeat(2_000))), ErrorCode.MANIFEST_INVALID),
                Arguments.of("size past a long", (Runnable) () -> manifest(ociManifest("99999999999999999999")), ErrorCode.MANIFEST_INVALID),
                Arguments.of("negative size", (Runnable) () -> manifest(ociManifest("-1")), ErrorCode.MANIFEST_INVALID),
                Arguments.of("schemaVersion that wraps to 2 as an int", (Runnable) () -> manifest("{\"schemaVersion\":4294967298}"), ErrorCode.MANIFEST_INVALID),
                Arguments.of("empty body", (Runnable) () -> manifest(""), ErrorCode.MANIFEST_INVALID),
                Arguments.of("bad UTF-8", (Runnable) () -> ManifestParser.parse(new byte[] {'{', '"', (byte) 0xff, '"', ':', '1', '}'}, null), ErrorCode.MANIFEST_INVALID));
    }

    @ParameterizedTest(name = "{0}: {2}")
    @MethodSource("rejected")
    void rejectedWithItsOwnCode(String what, Runnable parse, ErrorCode code) {
        assertThatThrownBy(parse::run).isInstanceOfSatisfying(RegistryException.class, e -> assertThat(e.code()).isEqualTo(code));
    }

    static Stream<String> unmatchedPaths() {
        return Stream.of("/v2//manifests/x", "/v2/a/manifests/", "/v2/" + "/".repeat(10_000),
                "/v2/a/tags/list/", "/v3/a/tags/list", "/v2/_catalog/", "/v2", "");
    }

    @ParameterizedTest(name = "\"{0}\"")
    @MethodSource("unmatchedPaths")
    void pathsWithAnEmptyVariableOrOfNoTemplateMatchNoEndpoint(String path) {
        assertThat(Endpoint.match(path)).isEmpty();
    }

    private static void manifest(String json) {
        ManifestParser.parse(json.getBytes(StandardCharsets.UTF_8), MediaTypes.OCI_MANIFEST);
    }

    private static String ociManifest(String configSize) {
        return "{\"schemaVersion\":2,\"config\":{\"mediaType\":\"application/vnd.oci.image.config.v1+json\","
                + "\"digest\":\"sha256:" + HEX + "\",\"size\":" + configSize + "},\"layers\":[]}";
    }
}
