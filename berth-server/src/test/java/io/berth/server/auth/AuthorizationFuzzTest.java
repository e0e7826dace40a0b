package io.berth.server.auth;

import static io.berth.server.testing.FuzzContract.text;
import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.berth.oci.Repository;
import java.util.List;
import java.util.Optional;

/**
 * What a client sends to be let in, fed the same text: an {@code Authorization} header ({@link Credentials#parse}:
 * Basic with bad base64, bad UTF-8 or no colon, Bearer, anything) and token {@code scope} parameters
 * ({@link Scope#parseAll}). Neither ever throws: a header it cannot use is {@code Malformed}, a scope it cannot
 * grant is left out. One fuzz test for both: Jazzer fuzzes one test per JVM, and CI's time is short.
 */
class AuthorizationFuzzTest {
    @FuzzTest(maxDuration = "10s")
    void parse(byte[] input) {
        String text = text(input);
        Credentials credentials = Credentials.parse(Optional.of(text));
        if (credentials instanceof Credentials.Basic basic) {
            assertThat(basic.user()).isNotEmpty().doesNotContain(":");
        }
        for (Scope scope : Scope.parseAll(List.of(text, text + " " + text))) {
            assertThat(scope.isRegistry() || scope.isRepository()).isTrue(); // registry: the catalog or admin
            if (scope.isRepository()) {
                Repository.of(scope.name());
            }
        }
    }
}
