package io.berth.oci;

import static io.berth.oci.FuzzContract.text;
import static io.berth.oci.FuzzContract.valueOrClientError;
import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;

/**
 * {@link Digest#parse} on arbitrary text: a digest that prints back as the text it came from, or a 4xx
 * {@link RegistryException}, never another exception. See {@link FuzzContract} for how fuzzing runs.
 */
class DigestFuzzTest {
    @FuzzTest(maxDuration = "10s")
    void parse(byte[] input) {
        String text = text(input);
        valueOrClientError(() -> Digest.parse(text))
                .ifPresent(digest -> assertThat(digest).hasToString(text));
    }
}
