package io.berth.oci;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;

/**
 * A pushed manifest body of any bytes, under each kind of {@code Content-Type} a client may send: a {@link Manifest}
 * of a manifest media type, or {@code MANIFEST_INVALID} (400), never another exception, deep nesting included.
 * See {@link FuzzContract}.
 */
class ManifestParserFuzzTest {
    private static final String[] CONTENT_TYPES = {null, "", MediaTypes.JSON, MediaTypes.OCI_MANIFEST,
            MediaTypes.OCI_INDEX, MediaTypes.DOCKER_MANIFEST, MediaTypes.DOCKER_MANIFEST_LIST};

    @FuzzTest(maxDuration = "15s")
    void parse(byte[] body) {
        for (String contentType : CONTENT_TYPES) {
            try {
                assertThat(MediaTypes.MANIFESTS).contains(ManifestParser.parse(body, contentType).mediaType());
            } catch (RegistryException e) {
                assertThat(e.code()).as("%s", e).isEqualTo(ErrorCode.MANIFEST_INVALID);
            }
        }
    }
}
