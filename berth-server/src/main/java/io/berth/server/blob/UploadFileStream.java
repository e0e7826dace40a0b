package io.berth.server.blob;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.file.AsyncFile;
import io.vertx.core.internal.buffer.BufferInternal;
import io.vertx.core.streams.WriteStream;

/**
 * The filesystem driver's append stream: writes an upload's bytes to its file. The small buffers the network delivers
 * (hashed in place by {@link HashingWriteStream} before they get here) are gathered into pooled direct buffers of {@value #WRITE_SIZE} bytes, which the file channel writes as they are (a heap buffer would
 * be copied once more into a temporary direct one). At most {@value #WRITE_QUEUE_BYTES} bytes wait for the disk per
 * upload; beyond that, back-pressure pauses the connection. That bounds an upload's memory to about
 * {@code WRITE_SIZE + WRITE_QUEUE_BYTES} however fast its client sends.
 *
 * <p>Every {@value #EARLY_SYNC_BYTES} bytes it asks the disk to write back what it has so far (a data sync in the
 * background), so that a big blob reaches the disk while it is still streaming in and the sync that commits it
 * finds little left to write. Small blobs never trigger it.
 */
final class UploadFileStream implements WriteStream<Buffer> {
    static final int WRITE_SIZE = 128 << 10;
    private static final int WRITE_QUEUE_BYTES = 256 << 10;
    static final long EARLY_SYNC_BYTES = 32L << 20;

    private final AsyncFile file;
    private ByteBuf pending;
    private long unsynced;
    private boolean syncing;

    UploadFileStream(AsyncFile file) {
        this.file = file;
        file.setWriteQueueMaxSize(WRITE_QUEUE_BYTES);
    }

    @Override
    public Future<Void> write(Buffer data) {
        ByteBuf bytes = ((BufferInternal) data).getByteBuf();
        Future<Void> stored = Future.succeededFuture();
        while (bytes.isReadable()) {
            if (pending == null) {
                pending = PooledByteBufAllocator.DEFAULT.directBuffer(WRITE_SIZE, WRITE_SIZE);
            }
            pending.writeBytes(bytes, Math.min(bytes.readableBytes(), pending.writableBytes()));
            if (!pending.isWritable()) {
                stored = flush();
            }
        }
        return stored;
    }

    /** Hands the gathered bytes to the file; the pooled buffer goes back to the pool once they are written. */
    private Future<Void> flush() {
        ByteBuf full = pending;
        pending = null;
        unsynced += full.readableBytes();
        Future<Void> write = file.write(BufferInternal.buffer(full)).andThen(done -> full.release());
        if (unsynced >= EARLY_SYNC_BYTES && !syncing) {
            syncing = true;
            unsynced = 0;
            write.compose(v -> file.flush()).onComplete(synced -> syncing = false); // the commit's sync is what counts
        }
        return write;
    }

    /** Writes what is gathered and closes the file; the pipe calls it on failure too, so nothing pooled is left. */
    @Override
    public Future<Void> end() {
        return (pending != null && pending.isReadable() ? flush() : releasePending()).eventually(file::end);
    }

    private Future<Void> releasePending() {
        if (pending != null) {
            pending.release();
            pending = null;
        }
        return Future.succeededFuture();
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
