package io.berth.server.http;

import io.netty.channel.Channel;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.net.impl.ConnectionBase;

/**
 * Flushes an HTTP/2 connection after Berth wrote to one of its streams. Vert.x 5.0.7 leaves HTTP/2 data it wrote
 * outside of its own read handling unflushed at times: over TLS, with several streams answered at once, a response's
 * HEADERS went out and its DATA stayed in the connection until the next read, which a client waiting for that very
 * answer never sends (2 of 60 blob GETs of 64 KiB, five {@code java.net.http} clients; curl the same). A flush costs
 * nothing when there is nothing to write. HTTP/1 needs none: Vert.x flushes each of its writes.
 */
final class Http2Flush {
    private Http2Flush() {
    }

    /** The channel to flush after writing to {@code request}'s response; null for HTTP/1. */
    static Channel of(HttpServerRequest request) {
        return request.version() == HttpVersion.HTTP_2 && request.connection() instanceof ConnectionBase base
                ? base.channel() : null;
    }

    static void flush(Channel channel) {
        if (channel != null) {
            channel.flush();
        }
    }
}
