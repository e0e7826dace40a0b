package io.berth.oci;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * distribution-spec "Error Codes" (code-1 … code-14). The spec table gives code and message; the statuses are those
 * of the endpoint table and of the Docker Registry HTTP API V2 the spec is based on (apdx-1).
 */
class ErrorCodeTest {

    @ParameterizedTest(name = "{0}: {1} {2}")
    @CsvSource(delimiter = '|', textBlock = """
            code-1  | BLOB_UNKNOWN          | 404 | blob unknown to registry
            code-2  | BLOB_UPLOAD_INVALID   | 400 | blob upload invalid
            code-3  | BLOB_UPLOAD_UNKNOWN   | 404 | blob upload unknown to registry
            code-4  | DIGEST_INVALID        | 400 | provided digest did not match uploaded content
            code-5  | MANIFEST_BLOB_UNKNOWN | 400 | manifest references a manifest or blob unknown to registry
            code-6  | MANIFEST_INVALID      | 400 | manifest invalid
            code-7  | MANIFEST_UNKNOWN      | 404 | manifest unknown to registry
            code-8  | NAME_INVALID          | 400 | invalid repository name
            code-9  | NAME_UNKNOWN          | 404 | repository name not known to registry
            code-10 | SIZE_INVALID          | 400 | provided length did not match content length
            code-11 | UNAUTHORIZED          | 401 | authentication required
            code-12 | DENIED                | 403 | requested access to the resource is denied
            code-13 | UNSUPPORTED           | 405 | the operation is unsupported
            code-14 | TOOMANYREQUESTS       | 429 | too many requests
            """)
    void specErrorCodeHasItsStatusAndMessage(String id, String name, int status, String message) {
        ErrorCode code = ErrorCode.valueOf(name);

        assertThat(code.status()).as(id).isEqualTo(status);
        assertThat(code.message()).as(id).isEqualTo(message);
    }

    @Test
    void theSpecCodesAreExactlyThoseOfTheSpecTable() {
        assertThat(Arrays.stream(ErrorCode.values()).filter(ErrorCode::isSpec).map(Enum::name)).containsExactly(
                "BLOB_UNKNOWN", "BLOB_UPLOAD_INVALID", "BLOB_UPLOAD_UNKNOWN", "DIGEST_INVALID", "MANIFEST_BLOB_UNKNOWN",
                "MANIFEST_INVALID", "MANIFEST_UNKNOWN", "NAME_INVALID", "NAME_UNKNOWN", "SIZE_INVALID", "UNAUTHORIZED",
                "DENIED", "UNSUPPORTED", "TOOMANYREQUESTS");
    }

    @Test
    void aCodeCanBeAnsweredWithAnotherStatus() {
        RegistryException e = ErrorCode.BLOB_UPLOAD_INVALID.exception(416, "chunk out of order");

        assertThat(e.code()).isSameAs(ErrorCode.BLOB_UPLOAD_INVALID);
        assertThat(e.status()).isEqualTo(416);
        assertThat(ErrorCode.BLOB_UPLOAD_INVALID.exception("x").status()).isEqualTo(400);
    }

    @ParameterizedTest(name = "non-spec code {0}: {1}")
    @CsvSource({"TAG_INVALID, 400", "SIZE_TOO_LARGE, 413", "RANGE_INVALID, 416", "NOT_FOUND, 404",
            "UNKNOWN, 500", "UNAVAILABLE, 503"})
    void registryAddedCodeHasItsStatus(ErrorCode code, int status) {
        assertThat(code.status()).isEqualTo(status);
    }

    @Test
    void codeNamesAreUppercaseLettersAndUnderscores() {
        // "The code field MUST be a unique identifier, containing only uppercase alphabetic characters and underscores."
        assertThat(Arrays.stream(ErrorCode.values()).map(Enum::name)).allMatch(n -> n.matches("[A-Z_]+"));
    }

    @ParameterizedTest(name = "fromName round trips {0}")
    @EnumSource(ErrorCode.class)
    void fromNameOfAKnownCodeIsThatCode(ErrorCode code) {
        assertThat(ErrorCode.fromName(code.name())).isSameAs(code);
    }

    @ParameterizedTest(name = "fromName(\"{0}\") is UNKNOWN")
    @NullAndEmptySource
    @ValueSource(strings = {"MANIFEST_UNVERIFIED", "blob_unknown", "BLOB UNKNOWN", " BLOB_UNKNOWN", "42"})
    void fromNameOfAnUnknownCodeIsUnknown(String name) {
        assertThat(ErrorCode.fromName(name)).isSameAs(ErrorCode.UNKNOWN);
    }

    @ParameterizedTest(name = "{0}.exception carries code and detail")
    @EnumSource(ErrorCode.class)
    void exceptionCarriesCodeAndDetail(ErrorCode code) {
        RegistryException e = code.exception("some detail");

        assertThat(e.code()).isSameAs(code);
        assertThat(e.detail()).isEqualTo("some detail");
        assertThat(e).hasMessage(code.name() + ": some detail");
    }
}
