package io.berth.server.blob;

import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.streams.WriteStream;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * An append to an S3 upload, on the event loop. Bytes gather, as the buffers the network delivered, behind the tail
 * read back from the previous request; each full part goes up on a worker thread, and while it does the stream
 * reports {@link #writeQueueFull()}, so that the request is paused: an append holds about one part in memory however
 * fast its client sends, and the node's {@link PartBudget} bounds how many appends do at once. {@link #end()} spools
 * what is left below a part to the tail object and records it, so that the next request may continue on any node.
 * After a failure the upload holds what its state last recorded: the parts that went up before it.
 */
final class S3AppendStream implements WriteStream<Buffer> {
    private final WorkerExecutor workers;
    private final S3Uploads uploads;
    private final PartBudget budget;
    private final UUID upload;
    private S3UploadState state;
    private final ArrayDeque<Buffer> pending = new ArrayDeque<>();
    private long pendingBytes;
    private int partsCut;
    private long written;
    private int inFlight;
    private boolean released;
    private Future<Void> uploaded = Future.succeededFuture();
    private Throwable failure;
    private Handler<Throwable> exceptionHandler;
    private Handler<Void> drainHandler;

    private S3AppendStream(WorkerExecutor workers, S3Uploads uploads, PartBudget budget, UUID upload,
                           S3UploadState state, byte[] tail) {
        this.workers = workers;
        this.uploads = uploads;
        this.budget = budget;
        this.upload = upload;
        this.state = state;
        if (tail.length > 0) {
            pending.add(Buffer.buffer(tail));
            pendingBytes = tail.length;
        }
    }

    /** Waits for a permit of the budget, reads the upload's state and tail (on a worker), then streams. */
    static Future<WriteStream<Buffer>> open(Vertx vertx, WorkerExecutor workers, S3Uploads uploads,
                                            PartBudget budget, UUID upload, long offset) {
        return budget.acquire(vertx).compose(permit -> workers.<WriteStream<Buffer>>executeBlocking(() -> {
            S3UploadState state = uploads.stateAt(upload, offset);
            return new S3AppendStream(workers, uploads, budget, upload, state, uploads.tail(upload, state));
        }, false).onFailure(failed -> budget.release()));
    }

    @Override
    public Future<Void> write(Buffer data) {
        if (failure != null) {
            return Future.failedFuture(failure);
        }
        written += data.length();
        pending.add(data);
        pendingBytes += data.length();
        Future<Void> result = Future.succeededFuture();
        int size;
        while (pendingBytes >= (size = uploads.partSize(state.parts().size() + partsCut + 1))) {
            partsCut++;
            result = send(cut(size), size);
        }
        return result;
    }

    /** The first {@code size} pending bytes, as slices of the buffers that hold them (no copy). */
    private List<Buffer> cut(int size) {
        List<Buffer> part = new ArrayList<>();
        int needed = size;
        while (needed > 0) {
            Buffer head = pending.poll();
            if (head.length() <= needed) {
                part.add(head);
                needed -= head.length();
            } else {
                part.add(head.slice(0, needed));
                pending.addFirst(head.slice(needed, head.length()));
                needed = 0;
            }
        }
        pendingBytes -= size;
        return part;
    }

    /** Queues a full part behind the one in flight. */
    private Future<Void> send(List<Buffer> part, int size) {
        inFlight++;
        uploaded = uploaded.compose(v -> workers.executeBlocking(
                () -> uploads.uploadPart(upload, state, S3PartBody.of(part, size), size), false)).map(next -> {
            state = next;
            return (Void) null;
        });
        uploaded.onComplete(done -> {
            inFlight--;
            if (done.failed() && failure == null) {
                failure = done.cause();
                release(); // whether or not the caller ends the stream after the failure
                if (exceptionHandler != null) {
                    exceptionHandler.handle(failure);
                }
            } else if (inFlight == 0 && drainHandler != null) {
                drainHandler.handle(null);
            }
        });
        return uploaded;
    }

    /** Waits for the parts, then spools the rest as the tail; gives the budget's permit back either way. */
    @Override
    public Future<Void> end() {
        return uploaded.compose(v -> {
            if (failure != null) {
                return Future.<Void>failedFuture(failure);
            }
            if (written == 0 || pendingBytes == 0) {
                return Future.<Void>succeededFuture();
            }
            List<Buffer> rest = List.copyOf(pending);
            long length = pendingBytes;
            pending.clear();
            pendingBytes = 0;
            return workers.executeBlocking(() -> uploads.putTail(upload, state, S3PartBody.of(rest, length), length),
                    false).map(next -> {
                        state = next;
                        return (Void) null;
                    });
        }).andThen(done -> release());
    }

    private void release() {
        if (!released) {
            released = true;
            pending.clear();
            budget.release();
        }
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
