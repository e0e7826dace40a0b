package io.berth.client;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Follows {@code Link: <…>; rel="next"} through a paged listing (tags, catalog, referrers) and collects every page. */
final class Pages {
    private static final Pattern NEXT = Pattern.compile("<([^>]+)>\\s*;\\s*rel=\"?next\"?");
    private static final int MAX_PAGES = 10_000;

    private Pages() {
    }

    /**
     * @param first the first page's call
     * @param read  the items of one page (404 handling is the caller's: it returns empty for "no such thing")
     * @return empty when the first page answered 404
     */
    static <T> Optional<List<T>> collect(Transport transport, Call first, Function<byte[], List<T>> read) {
        List<T> all = new ArrayList<>();
        Call call = first;
        for (int page = 0; page < MAX_PAGES; page++) {
            Optional<URI> next;
            try (Response response = transport.send(call)) {
                if (response.status() == 404 && page == 0) {
                    response.bytes();
                    return Optional.empty();
                }
                if (response.status() != 200) {
                    throw response.error();
                }
                all.addAll(read.apply(response.bytes()));
                next = response.headers("Link").stream().map(NEXT::matcher).filter(Matcher::find)
                        .map(m -> call(response).uri().resolve(m.group(1))).findFirst();
            }
            if (next.isEmpty()) {
                return Optional.of(all);
            }
            call = call.to(next.get());
        }
        throw new IllegalStateException("more than " + MAX_PAGES + " pages from " + first);
    }

    private static Call call(Response response) {
        return response.call();
    }
}
