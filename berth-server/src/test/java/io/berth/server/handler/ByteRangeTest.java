package io.berth.server.handler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Optional;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** RFC 9110 section 14.1.2 byte ranges against a 100-byte blob. */
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
}
