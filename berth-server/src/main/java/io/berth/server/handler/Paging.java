package io.berth.server.handler;

import io.berth.oci.ErrorCode;
import io.berth.server.http.Exchange;
import io.berth.server.http.Reply;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;

/**
 * The {@code n} and {@code last} query parameters of the list endpoints and the RFC 5988 {@code Link} header that
 * points to the next page, for {@code /v2/} and {@code /api/v1/} alike. A page is read with one extra entry to know
 * whether there is a next one; {@code n=0} is an empty page. An {@code n} that is no non-negative integer is 400
 * {@code UNSUPPORTED}; one over the maximum is cut to it.
 */
public record Paging(int size, Optional<String> last) {
    /** How many entries a page holds without {@code n}, and at most. */
    public record Limits(int defaultSize, int maxSize) {
        /** These limits, neither above {@code most}. */
        public Limits atMost(int most) {
            return new Limits(Math.min(defaultSize, most), Math.min(maxSize, most));
        }
    }

    public static Paging of(Exchange exchange, Limits limits) {
        int size = exchange.query("n").map(Paging::parseSize).map(n -> Math.min(n, limits.maxSize()))
                .orElse(limits.defaultSize());
        return new Paging(size, exchange.query("last").filter(l -> !l.isEmpty()));
    }

    /**
     * {@code n}: ASCII digits only ({@link Integer#parseInt} would take {@code +5} and {@code ١٢}), anything else is
     * 400 {@code UNSUPPORTED}. A number past an int is as large as any and is cut to the maximum page size.
     */
    static int parseSize(String n) {
        if (n.isEmpty() || !n.chars().allMatch(c -> c >= '0' && c <= '9')) {
            throw ErrorCode.UNSUPPORTED.exception(400, "n must be a non-negative integer, was " + n);
        }
        try {
            return Integer.parseInt(n);
        } catch (NumberFormatException pastAnInt) {
            return Integer.MAX_VALUE;
        }
    }

    /** How many entries to read: one more than the page, to detect a next page. */
    public int fetchSize() {
        return size + 1;
    }

    /**
     * Trims {@code fetched} to the page and, when there is more, adds {@code Link: <path?n=…&last=…>; rel="next"}.
     *
     * @param path the endpoint path the link repeats, with the request's filters as query parameters if any
     */
    public <T> List<T> page(List<T> fetched, Reply reply, String path, java.util.function.Function<T, String> cursor) {
        if (size == 0) {
            return List.of(); // the spec: n=0 is an empty list and no Link header
        }
        if (fetched.size() <= size) {
            return fetched;
        }
        List<T> page = fetched.subList(0, size);
        String next = path + (path.contains("?") ? "&" : "?") + "n=" + size + "&last=" + URLEncoder.encode(cursor.apply(page.get(size - 1)), StandardCharsets.UTF_8);
        reply.header("Link", "<" + next + ">; rel=\"next\"");
        return page;
    }
}
