package io.berth.server.http;

import io.vertx.core.Context;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.HttpVersion;
import java.io.IOException;
import java.io.InputStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends an {@link InputStream} as a response body: each chunk is read on a worker thread (a read from an object store
 * blocks) and written on the event loop, and the next read waits while the client has not taken enough of what was
 * written, so that a slow client holds at most a few chunks in memory. A read failure resets the connection (the status
 * and length are sent already); the stream is closed whatever happens.
 *
 * <p>Over HTTP/1 the next read waits while the connection's write queue is full (64 KiB). Over HTTP/2 it waits while
 * more than three chunks of {@value #HTTP2_CHUNK} bytes are written and not yet sent, counted by the writes'
 * completions: so a stream holds at most five such chunks (four written, one being read), however wide the client
 * opens its flow-control windows (waiting beyond one chunk, Berth's 50-image pull over h2 took 0.99–1.09× the time
 * of Distribution's; beyond three, 0.99–1.00×). A stream's write queue bounds nothing there: Vert.x 5.0.7 queues a
 * stream's writes only while the stream cannot send, counts writes rather than bytes (full at 16), and an HTTP/2
 * connection never turns unwritable ({@link HttpEdge}), so a stream sends as far as the client's window (16 MiB for
 * {@code java.net.http}). Trusting the queue, 50 parallel pulls of 1.5 MiB blobs held 81 MB of heap, and a client
 * that opened its windows and read nothing made the server read 36 MiB of 8 bodies ({@code StreamSenderHttp2Test}).
 */
final class StreamSender {
    private static final Logger LOG = LoggerFactory.getLogger(StreamSender.class);
    private static final int CHUNK = 256 << 10;
    private static final int HTTP2_CHUNK = 64 << 10;
    private static final int HTTP2_UNSENT = 3 * HTTP2_CHUNK;

    private final Context context;
    private final InputStream content;
    private final HttpServerResponse response;
    private final boolean http2;
    private final int chunkSize;
    private volatile boolean closed;
    private long unsent; // HTTP/2: bytes written and not yet sent (event loop only)
    private boolean waiting; // HTTP/2: the next read waits for unsent to fall

    StreamSender(Context context, InputStream content, HttpServerRequest request) {
        this.context = context;
        this.content = content;
        this.response = request.response();
        this.http2 = request.version() == HttpVersion.HTTP_2;
        this.chunkSize = http2 ? HTTP2_CHUNK : CHUNK;
    }

    void start() {
        response.closeHandler(v -> finish());
        next();
    }

    private void next() {
        context.executeBlocking(() -> {
            byte[] chunk = new byte[chunkSize];
            int n = content.readNBytes(chunk, 0, chunkSize);
            return Buffer.buffer(n == chunkSize ? chunk : java.util.Arrays.copyOf(chunk, n));
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
            if (http2) {
                writeHttp2(chunk);
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

    private void writeHttp2(Buffer chunk) {
        int length = chunk.length();
        unsent += length;
        response.write(chunk).onComplete(written -> {
            unsent -= length;
            if (written.failed()) {
                finish(); // the stream was reset or the connection closed
                return;
            }
            if (waiting && unsent <= HTTP2_UNSENT) {
                waiting = false;
                next();
            }
        });
        if (unsent <= HTTP2_UNSENT) {
            next();
        } else {
            waiting = true;
        }
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
