package io.berth.server.handler;

import static io.berth.server.testing.FuzzContract.text;
import static io.berth.server.testing.FuzzContract.valueOrClientError;
import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.berth.server.http.Exchange;
import io.berth.server.http.Reply;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;

/**
 * What the handlers read from headers and query parameters, each parser fed the same text: {@code Range}
 * ({@link ByteRange#parse}), an upload's {@code Content-Range} ({@link ByteRange#ofContentRange}), {@code n}
 * ({@link Paging#parseSize}) and {@code Content-Length} ({@link Exchange#parseLength}) answer a sane value or a 4xx
 * (see {@code FuzzContract}); a list page whose last entry is the text links to the next page with that entry as
 * {@code last}, encoded. One fuzz test for all: Jazzer fuzzes one test per JVM, and CI's time is short.
 */
class HandlerInputsFuzzTest {
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
        assertLinkToTheNextPageCarries(text);
    }

    private static void assertLinkToTheNextPageCarries(String last) {
        Reply reply = Reply.status(200);
        new Paging(1, Optional.empty()).page(List.of(last, "more"), reply, "/v2/_catalog", entry -> entry);
        String link = reply.headers().get("Link");
        String prefix = "</v2/_catalog?n=1&last=";
        String suffix = ">; rel=\"next\"";

        assertThat(link).startsWith(prefix).endsWith(suffix);
        String encoded = link.substring(prefix.length(), link.length() - suffix.length());
        assertThat(encoded).matches("[A-Za-z0-9%+*._-]*");
        assertThat(URLDecoder.decode(encoded, StandardCharsets.UTF_8)).isEqualTo(last);
    }
}
