package io.berth.server.blob;

import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.file.AsyncFile;
import io.vertx.core.streams.WriteStream;
import java.security.MessageDigest;

/** Writes to a file while feeding every byte to a digest, so that a blob is hashed exactly once, as it streams in. */
final class HashingWriteStream implements WriteStream<Buffer> {
    private final AsyncFile file;
    private final MessageDigest digest;
    private long written;

    HashingWriteStream(AsyncFile file, MessageDigest digest) {
        this.file = file;
        this.digest = digest;
    }

    long written() {
        return written;
    }

    @Override
    public Future<Void> write(Buffer data) {
        digest.update(data.getBytes());
        written += data.length();
        return file.write(data);
    }

    @Override
    public Future<Void> end() {
        return file.end();
    }

    @Override
    public WriteStream<Buffer> exceptionHandler(Handler<Throwable> handler) {
        file.exceptionHandler(handler);
        return this;
    }

    @Override
    public WriteStream<Buffer> setWriteQueueMaxSize(int maxSize) {
        file.setWriteQueueMaxSize(maxSize);
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
