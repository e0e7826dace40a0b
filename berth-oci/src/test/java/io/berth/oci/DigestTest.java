package io.berth.oci;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;

/** image-spec descriptor.md, "Digests" and "Registered algorithms". */
class DigestTest {
    static final String SHA256_EMPTY = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
    static final String SHA256_ABC = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
    static final String SHA512_ABC = "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a"
            + "2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f";

    static Stream<Arguments> registeredDigests() {
        return Stream.of(
                Arguments.of("sha256:" + SHA256_EMPTY, Digest.Algorithm.SHA256, SHA256_EMPTY),
                // the spec's own example
                Arguments.of("sha256:6c3c624b58dbbcd3c0dd82b4c53f04194d1247c6eebdaab7c610cf7d66709b3b",
                        Digest.Algorithm.SHA256, "6c3c624b58dbbcd3c0dd82b4c53f04194d1247c6eebdaab7c610cf7d66709b3b"),
                Arguments.of("sha256:" + "0".repeat(64), Digest.Algorithm.SHA256, "0".repeat(64)),
                Arguments.of("sha512:" + SHA512_ABC, Digest.Algorithm.SHA512, SHA512_ABC));
    }

    @ParameterizedTest(name = "registered algorithm with lower-case hex of the right length parses: {0}")
    @MethodSource("registeredDigests")
    void registeredAlgorithmWithLowerHexParsesAndRoundTrips(String text, Digest.Algorithm algorithm, String hex) {
        Digest digest = Digest.parse(text);

        assertThat(digest.algorithm()).isEqualTo(algorithm);
        assertThat(digest.hex()).isEqualTo(hex);
        assertThat(digest).hasToString(text);
        assertThat(Digest.parse(digest.toString())).isEqualTo(digest);
    }

    @ParameterizedTest(name = "[{index}] {1}: {0}")
    @CsvSource(delimiter = '|', textBlock = """
            sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b85          | sha256 encoded must be 64 hex (63)
            sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b8555        | sha256 encoded must be 64 hex (65)
            sha256:E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855         | [A-F] MUST NOT be used (sha256)
            sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b85A         | [A-F] MUST NOT be used, one char
            sha256:g3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855         | sha256 encoded must match [a-f0-9]
            sha256:82qga5d6204131069af3e4f00dc1d3758d517a5edb29e5757d3c2858d563432          | seed example with non-hex characters
            sha512:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855         | sha512 encoded must be 128 hex
            md5:d41d8cd98f00b204e9800998ecf8427e                                             | well-formed but unregistered algorithm
            sha384:38b060a751ac96384cd9327eb1b1e36a21fdb71114be07434c0cc7bf63f6e1da274edebfe76f65fbd51ad2f14898b95b | well-formed but unregistered algorithm
            multihash+base58:QmRZxt2b1FVZPNqd8hsiykDL3TdBDeTSPX9Kv46HmX4Gx8                  | the spec's unregistered example
            sha256+b64u:LCa0a2j_xo_5m0U8HTBBNBNCLXBkg7-g-YpeiGJm564                          | the spec's unregistered example
            SHA256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855         | algorithm-component ::= [a-z0-9]+
            sha256e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855          | missing colon
            :e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855               | missing algorithm
            'sha256:'                                                                        | missing encoded part
            sha256::e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855        | two colons
            ' sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855'      | leading space
            sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855/x       | trailing path
            sha-:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855           | separator must join two components
            latest                                                                           | junk (a tag)
            '\u00e9:abc'                                                                     | junk (non-ASCII algorithm)
            """)
    void malformedOrUnregisteredDigestIsDigestInvalid(String text, String rule) {
        assertThatThrownBy(() -> Digest.parse(text))
                .as(rule)
                .isInstanceOfSatisfying(RegistryException.class,
                        e -> assertThat(e.code()).isEqualTo(ErrorCode.DIGEST_INVALID));
    }

    @ParameterizedTest(name = "empty or null is DIGEST_INVALID")
    @NullAndEmptySource
    void emptyDigestIsDigestInvalid(String text) {
        assertThatThrownBy(() -> Digest.parse(text))
                .isInstanceOfSatisfying(RegistryException.class,
                        e -> assertThat(e.code()).isEqualTo(ErrorCode.DIGEST_INVALID));
    }

    @Test
    void overlongInputIsDigestInvalid() {
        assertThatThrownBy(() -> Digest.parse("sha256:" + "a".repeat(10_000)))
                .isInstanceOfSatisfying(RegistryException.class,
                        e -> assertThat(e.code()).isEqualTo(ErrorCode.DIGEST_INVALID));
    }

    @ParameterizedTest(name = "sha256(\"{0}\") = {1}")
    @CsvSource({
            "'', " + SHA256_EMPTY,
            "abc, " + SHA256_ABC,
            // FIPS 180-2 appendix B.2
            "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq, "
                    + "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"})
    void sha256MatchesKnownVectors(String content, String hex) {
        Digest digest = Digest.sha256(content.getBytes(StandardCharsets.US_ASCII));

        assertThat(digest.algorithm()).isEqualTo(Digest.Algorithm.SHA256);
        assertThat(digest).hasToString("sha256:" + hex);
    }

    @Test
    void recomputeUsesTheDigestsOwnAlgorithm() {
        byte[] abc = "abc".getBytes(StandardCharsets.US_ASCII);

        assertThat(Digest.parse("sha512:" + "0".repeat(128)).recompute(abc)).hasToString("sha512:" + SHA512_ABC);
        assertThat(Digest.parse("sha256:" + "0".repeat(64)).recompute(abc)).hasToString("sha256:" + SHA256_ABC);
    }

    @Test
    void digestsAreValuesOrderedByTheirText() {
        Digest a = Digest.parse("sha256:" + "a".repeat(64));
        Digest b = Digest.parse("sha256:" + "b".repeat(64));

        assertThat(Digest.parse("sha256:" + "a".repeat(64))).isEqualTo(a).hasSameHashCodeAs(a);
        assertThat(a).isLessThan(b);
        assertThat(Digest.parse("sha256:" + "f".repeat(64))).isLessThan(Digest.parse("sha512:" + "0".repeat(128)));
    }

    @ParameterizedTest(name = "constructor rejects {1}")
    @CsvSource({"SHA256, E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855",
            "SHA256, abc", "SHA512, " + SHA256_EMPTY})
    void constructorEnforcesTheSameEncodingRules(Digest.Algorithm algorithm, String hex) {
        assertThatThrownBy(() -> new Digest(algorithm, hex)).isInstanceOf(IllegalArgumentException.class);
    }

    @ParameterizedTest
    @ValueSource(strings = {"sha256:abc", "md5:x", "a:b"})
    void textWithAColonLooksLikeADigest(String text) {
        assertThat(Digest.looksLikeDigest(text)).isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {"latest", "v1.0", ":abc", ""})
    void textWithoutALeadingAlgorithmDoesNotLookLikeADigest(String text) {
        assertThat(Digest.looksLikeDigest(text)).isFalse();
    }
}
