package io.berth.bench;

import java.io.File;
import java.io.IOException;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Every child process the harness starts (servers, wrk, ab, nginx, openssl, dd) goes through here, so that a
 * shutdown hook and the watchdog can end all of them (and their descendants) whatever way the run stops.
 */
final class Children {
    private static final Set<Process> LIVE = ConcurrentHashMap.newKeySet();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(Children::killAll, "bench-children"));
    }

    private Children() {
    }

    /** Starts {@code command} with both output streams appended to {@code log}. */
    static Process start(List<String> command, File log, File directory) throws IOException {
        return start(command, log, directory, java.util.Map.of());
    }

    /** As {@link #start(List, File, File)}, with {@code environment} added to this process's. */
    static Process start(List<String> command, File log, File directory, java.util.Map<String, String> environment)
            throws IOException {
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log)).redirectInput(ProcessBuilder.Redirect.PIPE);
        builder.environment().putAll(environment);
        if (directory != null) {
            builder.directory(directory);
        }
        Process process = builder.start();
        process.getOutputStream().close();
        LIVE.add(process);
        return process;
    }

    /** Runs a short tool to completion; kills it after {@code timeoutSeconds}. Returns its exit code, -1 on timeout. */
    static int run(List<String> command, File log, long timeoutSeconds) throws IOException, InterruptedException {
        Process process = start(command, log, null);
        try {
            if (!process.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                stop(process, 2);
                return -1;
            }
            return process.exitValue();
        } finally {
            LIVE.remove(process);
        }
    }

    /** SIGTERM to the process, SIGKILL to it and its descendants after {@code graceSeconds}. */
    static void stop(Process process, long graceSeconds) {
        List<ProcessHandle> descendants = process.descendants().toList();
        process.destroy();
        try {
            if (!process.waitFor(graceSeconds, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
        descendants.forEach(ProcessHandle::destroyForcibly);
        LIVE.remove(process);
    }

    static void killAll() {
        for (Process process : List.copyOf(LIVE)) {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
        }
        LIVE.clear();
    }
}
