package io.berth.server.blob;

import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.streams.WriteStream;
import java.util.UUID;

/**
 * An append to an S3 upload, on the event loop. Bytes gather behind the tail read back from the previous request;
 * each full part goes up on a worker thread, one at a time, and while it does the stream reports
 * {@link #writeQueueFull()}, so that the request is paused: an upload holds about one part in memory however fast
 * its client sends. {@link #end()} spools what is left below a part to the tail object and records it, so that the
 * next request may continue on any node. After a failure the upload holds what its state last recorded: the parts
 * that went up before it.
 */
final class S3AppendStream implements WriteStream<Buffer> {
    private final WorkerExecutor workers;
    private final S3Uploads uploads;
    private final UUID upload;
    private S3UploadState state;
    private Buffer pending;
    private int partsCut;
    private long written;
    private int inFlight;
    private Future<Void> uploaded = Future.succeededFuture();
    private Throwable failure;
    private Handler<Throwable> exceptionHandler;
    private Handler<Void> drainHandler;

    private S3AppendStream(WorkerExecutor workers, S3Uploads uploads, UUID upload, S3UploadState state, byte[] tail) {
        this.workers = workers;
        this.uploads = uploads;
        this.upload = upload;
        this.state = state;
        this.pending = Buffer.buffer(tail);
    }

    /** Reads the upload's state and tail (on a worker), then streams on the caller's event loop. */
    static Future<WriteStream<Buffer>> open(WorkerExecutor workers, S3Uploads uploads, UUID upload, long offset) {
        return workers.executeBlocking(() -> {
            S3UploadState state = uploads.stateAt(upload, offset);
            return new S3AppendStream(workers, uploads, upload, state, uploads.tail(upload, state));
        }, false);
    }

    @Override
    public Future<Void> write(Buffer data) {
        if (failure != null) {
            return Future.failedFuture(failure);
        }
        written += data.length();
        pending.appendBuffer(data);
        Future<Void> result = Future.succeededFuture();
        int size;
        while (pending.length() >= (size = uploads.partSize(state.parts().size() + partsCut + 1))) {
            byte[] part = pending.getBytes(0, size);
            pending = pending.getBuffer(size, pending.length());
            partsCut++;
            result = send(part);
        }
        return result;
    }

    /** Queues a full part behind the one in flight. */
    private Future<Void> send(byte[] part) {
        inFlight++;
        uploaded = uploaded.compose(v -> workers.executeBlocking(
                () -> uploads.uploadPart(upload, state, part, part.length), false)).map(next -> {
            state = next;
            return (Void) null;
        });
        uploaded.onComplete(done -> {
            inFlight--;
            if (done.failed() && failure == null) {
                failure = done.cause();
                if (exceptionHandler != null) {
                    exceptionHandler.handle(failure);
                }
            } else if (inFlight == 0 && drainHandler != null) {
                drainHandler.handle(null);
            }
        });
        return uploaded;
    }

    /** Waits for the parts, then spools the rest as the tail. */
    @Override
    public Future<Void> end() {
        return uploaded.compose(v -> {
            if (failure != null) {
                return Future.failedFuture(failure);
            }
            if (written == 0 || pending.length() == 0) {
                return Future.succeededFuture();
            }
            byte[] rest = pending.getBytes();
            pending = Buffer.buffer();
            return workers.executeBlocking(() -> uploads.putTail(upload, state, rest, rest.length), false)
                    .map(next -> {
                        state = next;
                        return (Void) null;
                    });
        });
    }

    @Override
    public WriteStream<Buffer> exceptionHandler(Handler<Throwable> handler) {
        this.exceptionHandler = handler;
        return this;
    }

    @Override
    public WriteStream<Buffer> setWriteQueueMaxSize(int maxSize) {
        return this; // the queue is one part, whatever the caller asks
    }

    @Override
    public boolean writeQueueFull() {
        return inFlight > 0;
    }

    @Override
    public WriteStream<Buffer> drainHandler(Handler<Void> handler) {
        this.drainHandler = handler;
        return this;
    }
}
