package io.berth.oci;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * The contract every parser of client input keeps (issue #16, "no 5xx from client input, ever"): it returns a value
 * or throws a {@link RegistryException} whose code is a 4xx, and nothing else; any other throwable fails the fuzz test.
 *
 * <p>The {@code *FuzzTest} classes are Jazzer {@code @FuzzTest}s taking raw bytes, so each regression input in
 * {@code src/test/resources/io/berth/…/<Class>Inputs/<method>/} is the input itself. A plain test run feeds them
 * only those inputs; the {@code fuzz} profile (on in CI, or {@code -Pfuzz}) fuzzes each for its {@code maxDuration}
 * in a JVM of its own. Jazzer writes a finding under {@code target/jazzer/}; keep it by copying it into that Inputs
 * directory, next to the fix.
 */
public final class FuzzContract {
    private FuzzContract() {
    }

    /** The input as text, as a request header or path would carry it (malformed UTF-8 becomes U+FFFD). */
    public static String text(byte[] input) {
        return new String(input, StandardCharsets.UTF_8);
    }

    /** The parser's value, or empty when it rejected the input with a 4xx {@link RegistryException}. */
    public static <T> Optional<T> valueOrClientError(Supplier<T> parser) {
        try {
            return Optional.of(parser.get());
        } catch (RegistryException e) {
            assertThat(e.status()).as("status of %s", e).isBetween(400, 499);
            return Optional.empty();
        }
    }
}
