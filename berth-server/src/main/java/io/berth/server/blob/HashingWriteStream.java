package io.berth.server.blob;

import io.netty.buffer.ByteBuf;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.internal.buffer.BufferInternal;
import io.vertx.core.streams.WriteStream;
import java.nio.ByteBuffer;
import java.security.MessageDigest;

/**
 * Feeds every byte written to a digest, then hands it to the driver's append stream, so that a blob is hashed exactly
 * once, as it streams in, whatever stores it. The digest reads the network buffers in place (no copy), before the
 * driver consumes them; back-pressure is the driver's.
 */
final class HashingWriteStream implements WriteStream<Buffer> {
    private final WriteStream<Buffer> target;
    private final MessageDigest digest;
    private long written;

    HashingWriteStream(WriteStream<Buffer> target, MessageDigest digest) {
        this.target = target;
        this.digest = digest;
    }

    /** Bytes handed to the driver so far (stored once {@link #end} succeeds). */
    long written() {
        return written;
    }

    @Override
    public Future<Void> write(Buffer data) {
        ByteBuf bytes = ((BufferInternal) data).getByteBuf();
        for (ByteBuffer region : bytes.nioBuffers(bytes.readerIndex(), bytes.readableBytes())) {
            digest.update(region);
        }
        written += data.length();
        return target.write(data);
    }

    @Override
    public Future<Void> end() {
        return target.end();
    }

    @Override
    public WriteStream<Buffer> exceptionHandler(Handler<Throwable> handler) {
        target.exceptionHandler(handler);
        return this;
    }

    @Override
    public WriteStream<Buffer> setWriteQueueMaxSize(int maxSize) {
        target.setWriteQueueMaxSize(maxSize);
        return this;
    }

    @Override
    public boolean writeQueueFull() {
        return target.writeQueueFull();
    }

    @Override
    public WriteStream<Buffer> drainHandler(Handler<Void> handler) {
        target.drainHandler(handler);
        return this;
    }
}
