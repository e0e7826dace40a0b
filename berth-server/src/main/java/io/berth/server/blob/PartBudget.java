package io.berth.server.blob;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.util.ArrayDeque;

/**
 * How many S3 appends may hold a part in memory at once on this node: each streaming append takes a permit before it
 * reads the tail back and gives it back when it ends, the others wait (their requests stay paused). A permit per
 * append rather than a byte count, because an append must be able to fill a whole part before any of it can go up:
 * appends half-way to a part that all waited for bytes would wait for ever.
 */
final class PartBudget {
    private final int permits;
    private int used;
    private final ArrayDeque<Waiter> waiting = new ArrayDeque<>();

    private record Waiter(Context context, Promise<Void> promise) {
    }

    PartBudget(int permits) {
        if (permits < 1) {
            throw new IllegalArgumentException("at least one permit, was " + permits);
        }
        this.permits = permits;
    }

    /** A quarter of the heap in parts, at least two: with bin/berth's 64 MiB heap and 5 MiB parts, three appends. */
    static PartBudget ofHeap(int partSize) {
        return new PartBudget((int) Math.max(2, Runtime.getRuntime().maxMemory() / 4 / partSize));
    }

    int permits() {
        return permits;
    }

    /** Completes, on the caller's context, once a permit is the caller's. */
    Future<Void> acquire(Vertx vertx) {
        synchronized (this) {
            if (used < permits) {
                used++;
                return Future.succeededFuture();
            }
            Promise<Void> promise = Promise.promise();
            waiting.add(new Waiter(vertx.getOrCreateContext(), promise));
            return promise.future();
        }
    }

    /** Gives a permit back: to the longest waiter, on its own context, or to the pool. */
    void release() {
        Waiter next;
        synchronized (this) {
            next = waiting.poll();
            if (next == null) {
                used--;
            }
        }
        if (next != null) {
            next.context().runOnContext(v -> next.promise().complete());
        }
    }

    synchronized int waiting() {
        return waiting.size();
    }
}
