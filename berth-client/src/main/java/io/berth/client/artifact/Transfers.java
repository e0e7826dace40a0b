package io.berth.client.artifact;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Runs blob transfers in parallel, a bounded number at once. Only blob transfers run here; manifests are handled by
 * the calling thread, so nested work cannot starve the pool.
 */
final class Transfers implements AutoCloseable {
    private final ExecutorService pool;

    Transfers(int parallelism) {
        AtomicInteger count = new AtomicInteger();
        this.pool = Executors.newFixedThreadPool(parallelism, task -> {
            Thread thread = new Thread(task, "berth-transfer-" + count.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        });
    }

    /** Runs every task and returns their results in order; the first failure is rethrown once all have ended. */
    <T> List<T> all(List<Callable<T>> tasks) {
        if (tasks.size() == 1) {
            return List.of(call(tasks.get(0)));
        }
        List<Future<T>> futures = new ArrayList<>();
        tasks.forEach(t -> futures.add(pool.submit(t)));
        List<T> results = new ArrayList<>();
        RuntimeException failure = null;
        for (Future<T> future : futures) {
            try {
                results.add(future.get());
            } catch (ExecutionException e) {
                if (failure == null) {
                    failure = e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                futures.forEach(f -> f.cancel(true));
                throw new IllegalStateException("interrupted", e);
            }
        }
        if (failure != null) {
            throw failure;
        }
        return results;
    }

    private static <T> T call(Callable<T> task) {
        try {
            return task.call();
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        pool.shutdownNow();
    }
}
