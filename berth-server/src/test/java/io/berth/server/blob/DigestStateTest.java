package io.berth.server.blob;

import static org.assertj.core.api.Assertions.assertThat;

import io.berth.oci.Digest;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** A SHA-256 saved after any number of bytes continues, restored, to the digest of the whole. */
class DigestStateTest {
    private static final byte[] CONTENT = new byte[(1 << 20) + 200];

    static {
        new SplittableRandom(19).nextBytes(CONTENT);
    }

    @Test
    void theTestsRunWithThePackagesOpenAsTheJarAndBinBerthDo() {
        assertThat(DigestState.supported()).as("--add-opens in the surefire argLine").isTrue();
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 55, 63, 64, 65, 127, 4096, 1 << 20, (1 << 20) + 199})
    void aStateSavedAfterAnyLengthContinuesToTheDigestOfTheWhole(int length) {
        MessageDigest first = Digest.Algorithm.SHA256.newMessageDigest();
        first.update(CONTENT, 0, length);
        byte[] saved = DigestState.export(first).orElseThrow();

        MessageDigest resumed = DigestState.restore(saved, length).orElseThrow();
        resumed.update(CONTENT, length, CONTENT.length - length);

        assertThat(Digest.of(Digest.Algorithm.SHA256, resumed.digest())).isEqualTo(Digest.sha256(CONTENT));
        assertThat(Digest.of(Digest.Algorithm.SHA256, first.digest()))
                .as("exporting leaves the original as it was").isEqualTo(Digest.sha256(Arrays.copyOf(CONTENT, length)));
    }

    @Test
    void aStateThatDoesNotCoverTheLengthOrIsNoStateIsRefused() {
        MessageDigest digest = Digest.Algorithm.SHA256.newMessageDigest();
        digest.update(CONTENT, 0, 1000);
        byte[] saved = DigestState.export(digest).orElseThrow();

        assertThat(DigestState.restore(saved, 999)).isEmpty();
        assertThat(DigestState.restore(saved, 1064)).isEmpty();
        assertThat(DigestState.restore(Arrays.copyOf(saved, saved.length - 1), 1000)).isEmpty();
        assertThat(DigestState.restore(new byte[3], 1000)).isEmpty();
        byte[] otherFormat = saved.clone();
        otherFormat[0] = 9;
        assertThat(DigestState.restore(otherFormat, 1000)).isEmpty();
        assertThat(DigestState.restore(null, 0)).isEmpty();
        assertThat(DigestState.export(Digest.Algorithm.SHA512.newMessageDigest())).as("not a SHA-256").isEmpty();
    }
}
