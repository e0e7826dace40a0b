package io.berth.server.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.berth.oci.ErrorCode;
import io.berth.oci.RegistryException;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** {@link Exchange#parseLength}: RFC 9110 {@code Content-Length = 1*DIGIT}. */
class ContentLengthTest {
    @ParameterizedTest(name = "\"{0}\" -> {1}")
    @CsvSource({"0, 0", "42, 42", "' 42 ', 42", "007, 7", "9223372036854775807, 9223372036854775807"})
    void asciiDigitsAreTheLength(String value, long length) {
        assertThat(Exchange.parseLength(value)).isEqualTo(length);
    }

    /** {@code +5} and Arabic-Indic digits passed {@link Long#parseLong} before the fuzz test (issue #16). */
    @ParameterizedTest(name = "\"{0}\" is SIZE_INVALID")
    @ValueSource(strings = {"", " ", "-1", "+5", "\u0661\u0662", "4 2", "1e3", "0x10", "9223372036854775808",
            "99999999999999999999"})
    void anythingElseIsSizeInvalid(String value) {
        assertThatThrownBy(() -> Exchange.parseLength(value)).isInstanceOfSatisfying(RegistryException.class,
                e -> assertThat(e.code()).isEqualTo(ErrorCode.SIZE_INVALID));
    }
}
