package io.berth.server.http;

import io.berth.oci.ErrorCode;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * The worker pools, one per {@link Lane}, so that writes waiting on the metadata database cannot starve reads,
 * {@code /readyz} and {@code /metrics}. Writes are also bounded in number and in time: beyond
 * {@link WorkerPools#writes} running and {@link WorkerPools#queuedWrites} waiting, a write is refused at once, and one
 * that waited longer than the database's wait timeout for a thread gives up before it starts; both answer 503
 * {@code TOOMANYREQUESTS} with {@code Retry-After} and the cause, as a write that waited too long for the database
 * itself does. Reads are not bounded: they never wait for a lock, so they hold their threads only while they work.
 */
public final class Workers implements AutoCloseable {
    private static final int PROBE_THREADS = 2;

    private final WorkerExecutor reads;
    private final WorkerExecutor writes;
    private final WorkerExecutor probes;
    private final WorkerPools sizes;
    private final Duration waitTimeout;
    private final AtomicInteger writesAdmitted = new AtomicInteger();
    private final LongAdder writesRefused = new LongAdder();

    private Workers(Vertx vertx, WorkerPools sizes, Duration waitTimeout) {
        this.reads = vertx.createSharedWorkerExecutor("berth-reads", sizes.reads());
        this.writes = vertx.createSharedWorkerExecutor("berth-writes", sizes.writes());
        this.probes = vertx.createSharedWorkerExecutor("berth-probes", PROBE_THREADS);
        this.sizes = sizes;
        this.waitTimeout = waitTimeout;
    }

    /** @param waitTimeout how long a write may wait for a thread: the database's own wait timeout */
    public static Workers start(Vertx vertx, WorkerPools sizes, Duration waitTimeout) {
        return new Workers(vertx, sizes, waitTimeout);
    }

    /** The read pool, which the access checks and the reloads of files use too. */
    public WorkerExecutor reads() {
        return reads;
    }

    /** The write pool, which the background writers (garbage collection, upload expiry, re-typing) use too. */
    public WorkerExecutor writes() {
        return writes;
    }

    /** Runs blocking {@code work} on {@code lane}'s pool; the future completes on the caller's context. */
    <T> Future<T> run(Lane lane, Callable<T> work) {
        return switch (lane) {
            case READ -> reads.executeBlocking(work, false);
            case PROBE -> probes.executeBlocking(work, false);
            case WRITE -> write(work);
        };
    }

    private <T> Future<T> write(Callable<T> work) {
        int limit = sizes.writes() + sizes.queuedWrites();
        if (writesAdmitted.incrementAndGet() > limit) {
            writesAdmitted.decrementAndGet();
            writesRefused.increment();
            return Future.failedFuture(ErrorCode.TOOMANYREQUESTS.exception(503, limit + " writes are running or"
                    + " waiting already (workers.writes + workers.queuedWrites); nothing was written, try again later"));
        }
        long queuedAt = System.nanoTime();
        return writes.<T>executeBlocking(() -> {
            if (System.nanoTime() - queuedAt > waitTimeout.toNanos()) {
                writesRefused.increment();
                throw ErrorCode.TOOMANYREQUESTS.exception(503, "no write worker came free within "
                        + waitTimeout.toMillis() + " ms (workers.writes, database.waitTimeout); nothing was written,"
                        + " try again later");
            }
            return work.call();
        }, false).onComplete(done -> writesAdmitted.decrementAndGet());
    }

    /** Writes running or waiting for a write thread. */
    public int writesInProgress() {
        return writesAdmitted.get();
    }

    /** Writes refused because too many were waiting, or because they waited too long for a thread. */
    public long writesRefused() {
        return writesRefused.sum();
    }

    @Override
    public void close() {
        reads.close().await();
        writes.close().await();
        probes.close().await();
    }
}
