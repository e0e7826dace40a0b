package io.berth.server.handler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.berth.oci.ErrorCode;
import io.berth.oci.RegistryException;
import java.util.Optional;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** RFC 9110 section 14.1.2 byte ranges against a 100-byte blob, and an upload chunk's {@code Content-Range}. */
class ByteRangeTest {

    @ParameterizedTest(name = "{0} -> {1}+{2}")
    @CsvSource({
            "bytes=0-0, 0, 1",
            "bytes=0-99, 0, 100",
            "bytes=10-19, 10, 10",
            "bytes=90-, 90, 10",
            "bytes=90-1000, 90, 10",
            "bytes=-10, 90, 10",
            "bytes=-1000, 0, 100"})
    void satisfiableRangesSelectTheRightBytes(String header, long start, long length) throws Exception {
        assertThat(ByteRange.parse(Optional.of(header), 100)).contains(new ByteRange(start, length));
    }

    @ParameterizedTest
    @ValueSource(strings = {"bytes=100-", "bytes=100-200", "bytes=50-10", "bytes=-0", "bytes=99999999999999999999-"})
    void unsatisfiableRangesAre416(String header) {
        assertThatThrownBy(() -> ByteRange.parse(Optional.of(header), 100)).isInstanceOf(ByteRange.Unsatisfiable.class);
    }

    @ParameterizedTest
    @ValueSource(strings = {"items=0-1", "bytes=0-1,5-6", "bytes=-", "garbage"})
    void otherRangeFormsServeTheWholeBlob(String header) throws Exception {
        assertThat(ByteRange.parse(Optional.of(header), 100)).isEmpty();
    }

    @org.junit.jupiter.api.Test
    void contentRangeNamesFirstLastAndSize() {
        assertThat(new ByteRange(10, 10).contentRange(100)).isEqualTo("bytes 10-19/100");
    }

    @ParameterizedTest(name = "Content-Range {0} -> {1}+{2}")
    @CsvSource({
            "0-0, 0, 1",
            "0-99, 0, 100",
            "'  100-199 ', 100, 100",
            "bytes 5-9/100, 5, 5",
            "bytes=5-9/*, 5, 5",
            "9223372036854775806-9223372036854775806, 9223372036854775806, 1"})
    void contentRangeIsTheChunksStartAndLength(String header, long start, long length) {
        assertThat(ByteRange.ofContentRange(header)).isEqualTo(new ByteRange(start, length));
    }

    /** Numbers past a long were a NumberFormatException, so a 500, until the fuzz test (issue #16). */
    @ParameterizedTest(name = "Content-Range \"{0}\" is BLOB_UPLOAD_INVALID")
    @ValueSource(strings = {"", " ", "5", "-5", "-1-5", "a-b", "5-", "0-1/", "items 0-1", "0-1,2-3", "\u0661-\u0662",
            "99999999999999999999-99999999999999999999", "0-99999999999999999999", "0-9223372036854775807",
            "9223372036854775808-9223372036854775809"})
    void malformedOrOverflowingContentRangeIsBlobUploadInvalid(String header) {
        assertThatThrownBy(() -> ByteRange.ofContentRange(header)).isInstanceOfSatisfying(RegistryException.class,
                e -> assertThat(e.code()).isEqualTo(ErrorCode.BLOB_UPLOAD_INVALID));
    }

    @ParameterizedTest
    @ValueSource(strings = {"9-5", "1-0", "9223372036854775807-0"})
    void contentRangeEndingBeforeItStartsIsA416(String header) {
        assertThatThrownBy(() -> ByteRange.ofContentRange(header)).isInstanceOfSatisfying(RegistryException.class,
                e -> assertThat(e.code()).isEqualTo(ErrorCode.BLOB_UPLOAD_INVALID))
                .satisfies(e -> assertThat(((RegistryException) e).status()).isEqualTo(416));
    }
}
