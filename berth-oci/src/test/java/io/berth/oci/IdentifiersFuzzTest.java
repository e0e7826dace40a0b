package io.berth.oci;

import static io.berth.oci.FuzzContract.text;
import static io.berth.oci.FuzzContract.valueOrClientError;
import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;

/**
 * What a request path carries, each parser fed the same text: {@link Digest#parse}, {@link Reference#parse} (a tag or
 * a digest), {@link Repository#of} and {@link Endpoint#match} on {@code /v2/<text>}. Each answers a value that prints
 * back as its text, or a 4xx; see {@link FuzzContract}. One fuzz test for the four: Jazzer fuzzes one test per JVM,
 * and CI's time is short.
 */
class IdentifiersFuzzTest {
    @FuzzTest(maxDuration = "10s")
    void parse(byte[] input) {
        String text = text(input);
        valueOrClientError(() -> Digest.parse(text)).ifPresent(digest -> assertThat(digest).hasToString(text));
        valueOrClientError(() -> Reference.parse(text)).ifPresent(reference -> assertThat(reference).hasToString(text));
        valueOrClientError(() -> Repository.of(text)).ifPresent(name -> assertThat(name).hasToString(text));
        String path = "/v2/" + text;
        Endpoint.match(path).ifPresent(match -> {
            assertThat(match.endpoint().template().contains("{name}")).isEqualTo(match.name() != null);
            if (match.name() != null) {
                assertThat(path).startsWith("/v2/" + match.name() + "/");
                assertThat(match.name()).isNotEmpty();
            }
            if (match.other() != null) {
                assertThat(path).endsWith("/" + match.other());
                assertThat(match.other()).isNotEmpty().doesNotContain("/");
            }
        });
    }
}
