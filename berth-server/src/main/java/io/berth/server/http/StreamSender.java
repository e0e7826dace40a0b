package io.berth.server.http;

import io.netty.channel.Channel;
import io.vertx.core.Context;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import java.io.IOException;
import java.io.InputStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends an {@link InputStream} as a response body: each chunk is read on a worker thread (a read from an object store
 * blocks), written on the event loop, and the next read waits while the response's write queue is full, so that a slow
 * client holds at most a few chunks in memory. Over HTTP/2 a stream's write queue is as long as the client's
 * flow-control window (16 MiB for {@code java.net.http}), so this bounds nothing there: see
 * {@link io.berth.server.config.TlsConfig#http2()}. A read failure resets the connection (the status and length are sent
 * already); the stream is closed whatever happens.
 */
final class StreamSender {
    private static final Logger LOG = LoggerFactory.getLogger(StreamSender.class);
    private static final int CHUNK = 256 << 10;

    private final Context context;
    private final InputStream content;
    private final HttpServerResponse response;
    private final Channel http2;
    private volatile boolean closed;

    StreamSender(Context context, InputStream content, HttpServerRequest request) {
        this.context = context;
        this.content = content;
        this.response = request.response();
        this.http2 = Http2Flush.of(request);
    }

    void start() {
        response.closeHandler(v -> finish());
        next();
    }

    private void next() {
        context.executeBlocking(() -> {
            byte[] chunk = new byte[CHUNK];
            int n = content.readNBytes(chunk, 0, CHUNK);
            return n == CHUNK ? Buffer.buffer(chunk) : Buffer.buffer(n == 0 ? new byte[0] : java.util.Arrays.copyOf(chunk, n));
        }, true).onComplete(read -> {
            if (closed) {
                return;
            }
            if (read.failed()) {
                LOG.warn("reading a response body failed after its headers were sent: {}", read.cause().toString());
                finish();
                response.reset();
                return;
            }
            Buffer chunk = read.result();
            if (chunk.length() == 0) {
                finish();
                response.end();
                Http2Flush.flush(http2);
                return;
            }
            response.write(chunk);
            Http2Flush.flush(http2);
            if (response.writeQueueFull()) {
                response.drainHandler(v -> next());
            } else {
                next();
            }
        });
    }

    private void finish() {
        if (!closed) {
            closed = true;
            close(content);
        }
    }

    static void close(InputStream content) {
        try {
            content.close();
        } catch (IOException e) {
            LOG.debug("closing a response body failed: {}", e.toString());
        }
    }
}
