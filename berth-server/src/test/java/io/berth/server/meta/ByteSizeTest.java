package io.berth.server.meta;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Sizes as people write them in {@code quotas}, and as messages show them. */
class ByteSizeTest {
    @ParameterizedTest
    @CsvSource({
            "0, 0", "1048576, 1048576", "512B, 512", "500MiB, 524288000", "10GiB, 10737418240", "1TB, 1000000000000",
            "1.5TiB, 1649267441664", "10 gib, 10737418240", "2kB, 2000", "2KB, 2000", "3KiB, 3072", "1PiB, 1125899906842624",
            "0.5KiB, 512"})
    void parsesBinaryAndDecimalUnits(String text, long bytes) {
        assertThat(ByteSize.parse(text)).hasValue(new ByteSize(bytes));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "-1", "-5GiB", "10 gigs", "GiB", "1e9", "10GB2", "99999999999PiB", "1.5.5MiB"})
    void refusesWhatIsNoSize(String text) {
        assertThat(ByteSize.parse(text)).isEmpty();
    }

    @ParameterizedTest
    @CsvSource({"0, 0 B", "1000, 1000 B", "1024, 1 KiB", "2500, 2.4 KiB", "3000, 2.9 KiB", "100000, 97.6 KiB",
            "314572800, 300 MiB", "1288490189, 1.2 GiB", "1073741824, 1 GiB", "10737418240, 10 GiB"})
    void showsSizesInBinaryUnits(long bytes, String text) {
        assertThat(ByteSize.human(bytes)).isEqualTo(text);
    }
}
