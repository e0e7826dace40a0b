package io.berth.server.http;

import io.vertx.core.Context;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerResponse;
import java.io.IOException;
import java.io.InputStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends an {@link InputStream} as a response body: each chunk is read on a worker thread (a read from an object store
 * blocks), written on the event loop, and the next read waits while the response's write queue is full, so that a slow
 * client holds at most a few chunks in memory. A read failure resets the connection (the status and length are sent
 * already); the stream is closed whatever happens.
 */
final class StreamSender {
    private static final Logger LOG = LoggerFactory.getLogger(StreamSender.class);
    private static final int CHUNK = 256 << 10;

    private final Context context;
    private final InputStream content;
    private final HttpServerResponse response;
    private volatile boolean closed;

    StreamSender(Context context, InputStream content, HttpServerResponse response) {
        this.context = context;
        this.content = content;
        this.response = response;
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
                return;
            }
            response.write(chunk);
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
