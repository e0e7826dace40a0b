package io.berth.server.http;

import io.berth.oci.Digest;
import io.berth.server.blob.FileRange;
import io.vertx.core.Vertx;
import io.netty.buffer.Unpooled;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.internal.buffer.BufferInternal;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What a handler answers, as a value: status, headers and a body that is nothing, bytes, a file region or a stream.
 * The dispatcher sends it on the event loop (files with zero-copy {@code sendFile} over HTTP/1, streamed over HTTP/2:
 * {@link StreamSender}) and drops the body for HEAD.
 */
public final class Reply {
    /** The body of a reply. */
    public sealed interface Body permits Empty, Bytes, FileRegion, Streamed {
    }

    /** No body. */
    public record Empty() implements Body {
    }

    /** An in-memory body (manifests, JSON). */
    public record Bytes(byte[] content, String contentType) implements Body {
    }

    /** {@code length} bytes of a file from {@code offset}, sent with zero copy. */
    public record FileRegion(Path path, long offset, long length, String contentType) implements Body {
    }

    /**
     * {@code length} bytes read from {@code content} (a blob in an object store), off the event loop, written as the
     * client takes them; the stream is closed at the end, on failure and when the client goes.
     */
    public record Streamed(InputStream content, long length, String contentType) implements Body {
    }

    private final int status;
    private final Map<String, String> headers = new LinkedHashMap<>();
    private Body body = new Empty();

    private Reply(int status) {
        this.status = status;
    }

    public static Reply status(int status) {
        return new Reply(status);
    }

    public Reply header(String name, Object value) {
        headers.put(name, String.valueOf(value));
        return this;
    }

    public Reply digest(Digest digest) {
        return header("Docker-Content-Digest", digest);
    }

    public Reply location(String location) {
        return header("Location", location);
    }

    public Reply bytes(byte[] content, String contentType) {
        this.body = new Bytes(content, contentType);
        return this;
    }

    public Reply file(Path path, long offset, long length, String contentType) {
        this.body = new FileRegion(path, offset, length, contentType);
        return this;
    }

    public Reply stream(InputStream content, long length, String contentType) {
        this.body = new Streamed(content, length, contentType);
        return this;
    }

    public int status() {
        return status;
    }

    public Map<String, String> headers() {
        return headers;
    }

    public Body body() {
        return body;
    }

    /** Sends this reply as the response to {@code request}, on its event loop; no body for HEAD. */
    public void sendTo(HttpServerRequest request) {
        HttpServerResponse response = request.response().setStatusCode(status);
        headers.forEach(response::putHeader);
        boolean head = request.method() == HttpMethod.HEAD;
        ErrorRenderer.discardUnreadBody(request);
        if (body instanceof Reply.Bytes bytes) {
            response.putHeader("Content-Type", bytes.contentType())
                    .putHeader("Content-Length", String.valueOf(bytes.content().length));
            if (head) {
                response.end();
            } else {
                response.end(BufferInternal.buffer(Unpooled.wrappedBuffer(bytes.content()))); // no copy into the heap
            }
        } else if (body instanceof Reply.FileRegion file) {
            response.putHeader("Content-Type", file.contentType());
            if (head || file.length() == 0) {
                response.putHeader("Content-Length", String.valueOf(file.length())).end();
            } else if (request.version() == HttpVersion.HTTP_2) {
                // Vert.x's sendFile pipes the file into the stream as fast as the client's flow-control window lets it
                // (16 MiB per stream for java.net.http), whatever the connection takes; StreamSender holds a few
                // chunks per stream. Zero copy is impossible over TLS anyway.
                InputStream content;
                try {
                    content = FileRange.open(file.path(), file.offset(), file.length());
                } catch (java.io.UncheckedIOException gone) { // deleted since it was found: the client asks again
                    response.reset();
                    return;
                }
                response.putHeader("Content-Length", String.valueOf(file.length()));
                new StreamSender(Vertx.currentContext(), content, request).start();
            } else {
                response.sendFile(file.path().toString(), file.offset(), file.length());
            }
        } else if (body instanceof Reply.Streamed streamed) {
            response.putHeader("Content-Type", streamed.contentType())
                    .putHeader("Content-Length", String.valueOf(streamed.length()));
            if (head || streamed.length() == 0) {
                StreamSender.close(streamed.content());
                response.end();
            } else {
                new StreamSender(Vertx.currentContext(), streamed.content(), request).start();
            }
        } else {
            if (!headers.containsKey("Content-Length")) {
                response.putHeader("Content-Length", "0");
            }
            response.end();
        }
    }
}
