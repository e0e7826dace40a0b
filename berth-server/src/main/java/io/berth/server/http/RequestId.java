package io.berth.server.http;

import io.vertx.core.http.HttpServerRequest;
import java.util.UUID;
import java.util.function.Supplier;
import java.util.regex.Pattern;

/**
 * A request's id: the client's {@code X-Request-Id} when it sent a usable one, else a new UUID, made only when
 * something names it (an error's body and log line, an audit line, an event). Most requests are answered without
 * one, and a random UUID per request cost a few percent of the small requests' throughput.
 */
final class RequestId implements Supplier<String> {
    static final String HEADER = "X-Request-Id";
    private static final Pattern USABLE = Pattern.compile("[A-Za-z0-9._:-]{1,128}");

    private final HttpServerRequest request;
    private String id;

    RequestId(HttpServerRequest request) {
        this.request = request;
    }

    @Override
    public synchronized String get() {
        if (id == null) {
            String clientId = request.getHeader(HEADER);
            id = clientId != null && USABLE.matcher(clientId).matches() ? clientId : UUID.randomUUID().toString();
        }
        return id;
    }

    /**
     * The id if one was made, or the client sent a usable one; else null. For the access log: making one only to
     * log it would cost what {@link #get} being lazy saves, and nobody could refer to it.
     */
    synchronized String known() {
        if (id == null && request.getHeader(HEADER) != null) {
            return get();
        }
        return id;
    }
}
