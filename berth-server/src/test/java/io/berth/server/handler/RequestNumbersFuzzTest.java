package io.berth.server.handler;

import static io.berth.server.testing.FuzzContract.text;
import static io.berth.server.testing.FuzzContract.valueOrClientError;
import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.berth.server.http.Exchange;
import java.util.Optional;

/**
 * The numbers a client sends in headers and query parameters, each parser fed the same text: {@code Range}
 * ({@link ByteRange#parse}), an upload's {@code Content-Range} ({@link ByteRange#ofContentRange}), {@code n}
 * ({@link Paging#parseSize}) and {@code Content-Length} ({@link Exchange#parseLength}). Each answers a sane value or
 * a 4xx; see {@code FuzzContract}. One fuzz test for the four: Jazzer fuzzes one test per JVM, and CI's time is short.
 */
class RequestNumbersFuzzTest {
    private static final long[] BLOB_SIZES = {0, 1, 100, Long.MAX_VALUE};

    @FuzzTest(maxDuration = "10s")
    void parse(byte[] input) throws Exception {
        String text = text(input);
        for (long size : BLOB_SIZES) {
            try {
                ByteRange.parse(Optional.of(text), size).ifPresent(range -> {
                    assertThat(range.start()).isBetween(0L, size - 1);
                    assertThat(range.length()).isBetween(1L, size - range.start());
                });
            } catch (ByteRange.Unsatisfiable answered416) {
                // the one other outcome: 416 with Content-Range: bytes */size
            }
        }
        valueOrClientError(() -> ByteRange.ofContentRange(text)).ifPresent(chunk -> {
            assertThat(chunk.start()).isNotNegative();
            assertThat(chunk.length()).isPositive();
        });
        valueOrClientError(() -> Paging.parseSize(text)).ifPresent(n -> assertThat(n).isNotNegative());
        valueOrClientError(() -> Exchange.parseLength(text)).ifPresent(n -> assertThat(n).isNotNegative());
    }
}
