package io.berth.server.handler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.berth.oci.ErrorCode;
import io.berth.oci.RegistryException;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** The {@code n} query parameter of the list endpoints. */
class PagingTest {
    @ParameterizedTest(name = "n={0} -> {1}")
    @CsvSource({"0, 0", "1, 1", "0010, 10", "2147483647, 2147483647", "2147483648, 2147483647",
            "99999999999999999999, 2147483647"})
    void digitsAreThePageSizeAndNumbersPastAnIntAreTheLargest(String n, int size) {
        assertThat(Paging.parseSize(n)).isEqualTo(size);
    }

    /** {@code +5} and Arabic-Indic digits passed {@link Integer#parseInt} before the fuzz test (issue #16). */
    @ParameterizedTest(name = "n=\"{0}\" is 400 UNSUPPORTED")
    @ValueSource(strings = {"", " ", " 5", "-1", "+5", "\u0661\u0662", "1e3", "0x10", "5 ", "1_000", "-99999999999999999999"})
    void anythingButAsciiDigitsIsPaginationNumberInvalid(String n) {
        assertThatThrownBy(() -> Paging.parseSize(n)).isInstanceOfSatisfying(RegistryException.class,
                e -> assertThat(e.code()).isEqualTo(ErrorCode.UNSUPPORTED));
    }
}
