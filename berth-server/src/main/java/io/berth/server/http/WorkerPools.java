package io.berth.server.http;

import java.util.ArrayList;
import java.util.List;

/**
 * The sizes of the worker pools ({@code workers.*} in the configuration; see {@link Workers}).
 *
 * @param reads        threads for the blocking work of GET and HEAD requests, access checks and reloads
 * @param writes       threads for the blocking work of the other requests, and the background writers (garbage
 *                     collection, upload expiry)
 * @param queuedWrites writes that may wait for a write thread beyond those running; one more is refused at once with
 *                     503 {@code TOOMANYREQUESTS}
 */
public record WorkerPools(int reads, int writes, int queuedWrites) {
    /**
     * Reads as many as the one pool had before writes got their own; writes enough that a burst of pushes fills the
     * group writer's batches (SQLite) or the connection pool (PostgreSQL). A thread costs its stack only as deep as
     * it was used, some tens of KiB.
     */
    public static final WorkerPools DEFAULT = new WorkerPools(24, 16, 1024);

    /** What is wrong with these sizes, each problem naming its key. */
    public List<String> problems() {
        List<String> problems = new ArrayList<>();
        if (reads < 1 || writes < 1) {
            problems.add("workers.reads and workers.writes must be at least 1, were " + reads + " and " + writes);
        }
        if (queuedWrites < 0) {
            problems.add("workers.queuedWrites must be 0 or more, was " + queuedWrites);
        }
        return problems;
    }
}
