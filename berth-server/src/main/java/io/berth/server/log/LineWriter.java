package io.berth.server.log;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Lines written by a thread of its own, in batches: the thread that has a line (an event loop) only queues it, no
 * formatting of a log framework and no system call, and one write carries the lines of up to 50 ms. A line per request
 * through slf4j-simple, one flushed write each on the event loop, cost about a third of the throughput of a small
 * request. When the queue is full because the output cannot keep up, lines are dropped and counted rather than
 * waited for: a slow log must not slow the registry; {@link #dropped()} says how many, and a warning says it too.
 */
public final class LineWriter implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(LineWriter.class);
    private static final int CAPACITY = 16_384;
    private static final int BATCH = 1_024;
    private static final long PAUSE_MILLIS = 50;
    private static final long WARN_EVERY_NANOS = TimeUnit.SECONDS.toNanos(10);

    private final BlockingQueue<String> queue = new ArrayBlockingQueue<>(CAPACITY);
    private final LongAdder dropped = new LongAdder();
    private final OutputStream out;
    private final Thread thread;
    private volatile boolean closed;

    public LineWriter(OutputStream out, String threadName) {
        this.out = out;
        this.thread = new Thread(this::run, threadName);
        thread.setDaemon(true);
        thread.start();
    }

    /** Queues {@code line} (without its line end); never blocks. */
    public void write(String line) {
        if (closed || !queue.offer(line)) {
            dropped.increment();
        }
    }

    /** Lines dropped so far because the queue was full, the output failed, or the writer was closed. */
    public long dropped() {
        return dropped.sum();
    }

    /**
     * Wakes every {@value #PAUSE_MILLIS} ms and writes everything queued. It is never woken per line: a queue whose
     * taker waits in {@code poll} signals it on every offer, a system call and a thread switch per request, which
     * cost as much as the rest of a small request.
     */
    private void run() {
        List<String> batch = new ArrayList<>(BATCH);
        StringBuilder text = new StringBuilder(64 * 1024);
        boolean failed = false;
        long warned = 0;
        long lastWarning = System.nanoTime() - WARN_EVERY_NANOS;
        while (true) {
            boolean last = closed;
            while (queue.drainTo(batch, BATCH) > 0) {
                try {
                    if (failed) {
                        dropped.add(batch.size());
                    } else {
                        batch.forEach(line -> text.append(line).append('\n'));
                        out.write(text.toString().getBytes(StandardCharsets.UTF_8));
                        out.flush();
                    }
                } catch (IOException e) {
                    failed = true;
                    dropped.add(batch.size());
                    LOG.warn("{}: writing failed, its lines are dropped from now on: {}", thread.getName(), e.toString());
                } finally {
                    batch.clear();
                    text.setLength(0);
                }
            }
            long now = System.nanoTime();
            if (dropped.sum() > warned && now - lastWarning >= WARN_EVERY_NANOS) {
                warned = dropped.sum();
                lastWarning = now;
                LOG.warn("{}: {} lines dropped so far (the output did not keep up)", thread.getName(), warned);
            }
            if (last) {
                return;
            }
            LockSupport.parkNanos(this, TimeUnit.MILLISECONDS.toNanos(PAUSE_MILLIS));
        }
    }

    /** Writes what is queued (waiting up to 5 s), then stops; later lines are dropped. */
    @Override
    public void close() {
        closed = true;
        LockSupport.unpark(thread);
        try {
            thread.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
