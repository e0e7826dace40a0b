package io.berth.server.blob;

import io.netty.buffer.ByteBuf;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.file.AsyncFile;
import io.vertx.core.internal.buffer.BufferInternal;
import io.vertx.core.streams.WriteStream;
import java.nio.ByteBuffer;
import java.security.MessageDigest;

/**
 * Writes to a file while feeding every byte to a digest, so that a blob is hashed exactly once, as it streams in.
 * The digest reads the network buffers in place (no copy); the small buffers the network delivers are gathered into
 * writes of {@value #WRITE_SIZE} bytes, and the file's write queue is deep enough that back-pressure does not pause
 * the connection after every few kilobytes.
 */
final class HashingWriteStream implements WriteStream<Buffer> {
    static final int WRITE_SIZE = 256 << 10;
    private static final int WRITE_QUEUE_BYTES = 1 << 20;

    private final AsyncFile file;
    private final MessageDigest digest;
    private Buffer pending = Buffer.buffer(WRITE_SIZE);
    private long written;

    HashingWriteStream(AsyncFile file, MessageDigest digest) {
        this.file = file;
        this.digest = digest;
        file.setWriteQueueMaxSize(WRITE_QUEUE_BYTES);
    }

    long written() {
        return written;
    }

    @Override
    public Future<Void> write(Buffer data) {
        hash(data);
        written += data.length();
        pending.appendBuffer(data);
        return pending.length() >= WRITE_SIZE ? flush() : Future.succeededFuture();
    }

    private void hash(Buffer data) {
        if (data instanceof BufferInternal internal) {
            ByteBuf bytes = internal.getByteBuf();
            for (ByteBuffer region : bytes.nioBuffers(bytes.readerIndex(), bytes.readableBytes())) {
                digest.update(region);
            }
        } else {
            digest.update(data.getBytes());
        }
    }

    private Future<Void> flush() {
        Buffer full = pending;
        pending = Buffer.buffer(WRITE_SIZE);
        return file.write(full);
    }

    @Override
    public Future<Void> end() {
        return (pending.length() > 0 ? flush() : Future.<Void>succeededFuture()).eventually(file::end);
    }

    @Override
    public WriteStream<Buffer> exceptionHandler(Handler<Throwable> handler) {
        file.exceptionHandler(handler);
        return this;
    }

    @Override
    public WriteStream<Buffer> setWriteQueueMaxSize(int maxSize) {
        file.setWriteQueueMaxSize(Math.max(maxSize, WRITE_QUEUE_BYTES));
        return this;
    }

    @Override
    public boolean writeQueueFull() {
        return file.writeQueueFull();
    }

    @Override
    public WriteStream<Buffer> drainHandler(Handler<Void> handler) {
        file.drainHandler(handler);
        return this;
    }
}
