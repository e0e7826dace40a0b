package io.berth.oci;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * distribution-spec "Pulling manifests": {@code <reference>} MUST be either (a) the digest of the manifest or (b) a tag;
 * a tag MUST be at most 128 characters and match {@code [a-zA-Z0-9_][a-zA-Z0-9._-]{0,127}}.
 */
class ReferenceTest {

    @ParameterizedTest(name = "tag matches the spec grammar: {0}")
    @ValueSource(strings = {"latest", "v1.0.0", "1.0", "_", "_latest", "a", "Z", "9", "V1_2-3.4",
            "sha256", "sha256-e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"})
    void tagMatchingTheGrammarIsATag(String text) {
        Reference reference = Reference.parse(text);

        assertThat(reference).isInstanceOfSatisfying(Reference.Tag.class,
                tag -> assertThat(tag.name()).isEqualTo(text));
        assertThat(reference).hasToString(text);
    }

    static Stream<Arguments> tagLengths() {
        return Stream.of(Arguments.of(1, true), Arguments.of(127, true), Arguments.of(128, true),
                Arguments.of(129, false), Arguments.of(1000, false));
    }

    @ParameterizedTest(name = "tag of {0} characters valid: {1}")
    @MethodSource("tagLengths")
    void tagIsAtMost128Characters(int length, boolean valid) {
        String tag = "v" + "1".repeat(length - 1);
        if (valid) {
            assertThat(Reference.parse(tag)).isEqualTo(new Reference.Tag(tag));
        } else {
            assertTagInvalid(tag);
        }
    }

    @ParameterizedTest(name = "tag outside the grammar is TAG_INVALID: \"{0}\"")
    @ValueSource(strings = {".latest", "-latest", "..", "-", "la/test", "la test", "latest!", "la+test", "tag~1",
            "t\u00e4g", "latest\n", " latest", ":latest"})
    void tagOutsideTheGrammarIsTagInvalid(String text) {
        assertTagInvalid(text);
    }

    @ParameterizedTest(name = "null or empty reference is TAG_INVALID")
    @NullAndEmptySource
    void missingReferenceIsTagInvalid(String text) {
        assertTagInvalid(text);
    }

    @ParameterizedTest(name = "digest reference: {0}")
    @CsvSource({
            "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855, SHA256",
            "sha512:ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f, SHA512"})
    void digestIsAByDigestReference(String text, Digest.Algorithm algorithm) {
        Reference reference = Reference.parse(text);

        assertThat(reference).isInstanceOfSatisfying(Reference.ByDigest.class, byDigest -> {
            assertThat(byDigest.digest()).isEqualTo(Digest.parse(text));
            assertThat(byDigest.digest().algorithm()).isEqualTo(algorithm);
        });
        assertThat(reference).hasToString(text);
    }

    @ParameterizedTest(name = "malformed digest reference is DIGEST_INVALID: {0}")
    @ValueSource(strings = {"sha256:abc", "md5:d41d8cd98f00b204e9800998ecf8427e",
            "sha256:E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855", "latest:", "a:b:c"})
    void malformedDigestReferenceIsDigestInvalid(String text) {
        assertThatThrownBy(() -> Reference.parse(text))
                .isInstanceOfSatisfying(RegistryException.class,
                        e -> assertThat(e.code()).isEqualTo(ErrorCode.DIGEST_INVALID));
    }

    private static void assertTagInvalid(String text) {
        assertThatThrownBy(() -> Reference.parse(text))
                .isInstanceOfSatisfying(RegistryException.class,
                        e -> assertThat(e.code()).isEqualTo(ErrorCode.TAG_INVALID));
    }
}
