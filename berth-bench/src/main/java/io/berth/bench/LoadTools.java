package io.berth.bench;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Fixed-URL load from separate processes: wrk (GET, with a Lua script for headers or random ranges) and ab -i
 * (HEAD: wrk 4.1 waits for a body after a HEAD answer that has a Content-Length, so it cannot measure HEAD).
 * Their text output is parsed; non-2xx answers and socket errors are reported, never hidden.
 */
final class LoadTools {
    /** One load run's figures. */
    record Load(String tool, long requests, double seconds, double requestsPerSecond, double p50Ms, double p99Ms,
                double bytesRead, long non2xx, long errors, String raw, double serverCpuSeconds) {
        double bytesPerRequest() {
            return requests == 0 ? 0 : bytesRead / requests;
        }

        /** The server's CPU time per answered request, in microseconds: NaN when it was not measured. */
        double serverCpuMicrosPerRequest() {
            return requests == 0 ? Double.NaN : serverCpuSeconds * 1e6 / requests;
        }

        Load withServerCpu(double seconds) {
            return new Load(tool, requests, this.seconds, requestsPerSecond, p50Ms, p99Ms, bytesRead, non2xx, errors, raw,
                    seconds);
        }
    }

    private final Path scratch;
    private final Path logs;
    private int counter;
    private int logCounter;

    LoadTools(Path scratch, Path logs) {
        this.scratch = scratch;
        this.logs = logs;
    }

    /** wrk -t2 -cC -dD --latency, with {@code lua} as its script when not null. */
    Load wrk(String label, String url, int connections, double seconds, String lua) throws IOException, InterruptedException {
        return wrk(label, url, connections, seconds, 10, lua);
    }

    /** The same with wrk's per-request {@code --timeout} in seconds (10 by default). */
    Load wrk(String label, String url, int connections, double seconds, int timeoutSeconds, String lua)
            throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("wrk", "-t", String.valueOf(Math.min(2, connections)), "-c",
                String.valueOf(connections), "-d", Math.max(1, Math.round(seconds)) + "s", "--timeout", timeoutSeconds + "s",
                "--latency"));
        if (lua != null) {
            Path script = scratch.resolve("wrk-" + (++counter) + ".lua");
            Files.writeString(script, lua, StandardCharsets.UTF_8);
            command.addAll(List.of("-s", script.toString()));
        }
        command.add(url);
        String out = run(label, command, seconds);
        return parseWrk(out);
    }

    /** ab -k -i (HEAD) -cC -tD, with extra headers. */
    Load abHead(String label, String url, int connections, double seconds, List<String> headers) throws IOException, InterruptedException {
        Path csv = scratch.resolve("ab-" + (++counter) + ".csv");
        List<String> command = new ArrayList<>(List.of("ab", "-k", "-i", "-q", "-c", String.valueOf(connections),
                "-t", String.valueOf(Math.max(1, Math.round(seconds))), "-n", "100000000", "-s", "10", "-e", csv.toString()));
        for (String h : headers) {
            command.addAll(List.of("-H", h));
        }
        command.add(url);
        String out = run(label, command, seconds);
        return parseAb(out, Files.exists(csv) ? Files.readAllLines(csv) : List.of());
    }

    /**
     * curl PUT of {@code file} to {@code url} (octet-stream, no {@code Expect: 100-continue}, like the Java client);
     * returns the answer's status.
     */
    int curlPut(String label, String url, Path file, double timeoutSeconds) throws IOException, InterruptedException {
        String out = run(label, List.of("curl", "-sS", "-o", "/dev/null", "-w", "\nstatus=%{http_code}\n", "-X", "PUT",
                "-H", "Content-Type: application/octet-stream", "-H", "Expect:", "-T", file.toString(), url), timeoutSeconds);
        Matcher status = Pattern.compile("status=(\\d{3})").matcher(out);
        return status.find() ? Integer.parseInt(status.group(1)) : -1;
    }

    /**
     * {@code dd} of {@code bytes} zeros into a file on the scratch file system (where the data directories are) with
     * {@code conv=fdatasync}: the disk's durable write rate, in bytes per second. The file is deleted afterwards.
     */
    double dd(String label, long bytes) throws IOException, InterruptedException {
        Path file = scratch.resolve("dd.bin");
        try {
            String out = run(label, List.of("dd", "if=/dev/zero", "of=" + file, "bs=1M", "count=" + bytes / Sizes.MIB,
                    "conv=fdatasync"), 80);
            Matcher copied = Pattern.compile("copied, ([0-9.,]+) s").matcher(out);
            if (!copied.find()) {
                throw new IOException("unreadable dd output:\n" + out);
            }
            return bytes / Double.parseDouble(copied.group(1).replace(',', '.'));
        } finally {
            Files.deleteIfExists(file);
        }
    }

    /** {@link #dd} in MiB/s, to set beside an upload's rate. */
    double ddMiBps(String label, long bytes) throws IOException, InterruptedException {
        return dd(label, bytes) / Sizes.MIB;
    }

    /** An upload's rate as a percentage of the mean of two dd rates taken right before and right after it (all MiB/s). */
    static double percentOfDd(double rate, double ddBefore, double ddAfter) {
        return 100 * rate / ((ddBefore + ddAfter) / 2);
    }

    private synchronized File logFile(String label) {
        return logs.resolve(String.format("%03d-%s.txt", ++logCounter, label.replaceAll("[^A-Za-z0-9.-]+", "_"))).toFile();
    }

    private String run(String label, List<String> command, double seconds) throws IOException, InterruptedException {
        File log = logFile(label);
        Files.writeString(log.toPath(), "$ " + String.join(" ", command) + "\n", StandardCharsets.UTF_8);
        int exit = Children.run(command, log, (long) seconds + 40);
        String out = Files.readString(log.toPath(), StandardCharsets.UTF_8);
        if (exit != 0) {
            throw new IOException(command.get(0) + " exited with " + exit + ":\n" + out);
        }
        return out;
    }

    static Load parseWrk(String out) {
        Matcher summary = Pattern.compile("(\\d+) requests in ([0-9.]+)(us|ms|s|m), ([0-9.]+)([KMGT]?B) read").matcher(out);
        if (!summary.find()) {
            throw new IllegalStateException("unreadable wrk output:\n" + out);
        }
        long requests = Long.parseLong(summary.group(1));
        double secs = time(summary.group(2), summary.group(3)) / 1000;
        double bytes = bytes(summary.group(4), summary.group(5));
        double rps = find(out, "Requests/sec:\\s+([0-9.]+)", 0);
        double p50 = percentile(out, "50");
        double p99 = percentile(out, "99");
        long non2xx = (long) find(out, "Non-2xx or 3xx responses: (\\d+)", 0);
        Matcher socket = Pattern.compile("Socket errors: connect (\\d+), read (\\d+), write (\\d+), timeout (\\d+)").matcher(out);
        long errors = 0;
        if (socket.find()) {
            for (int g = 1; g <= 4; g++) {
                errors += Long.parseLong(socket.group(g));
            }
        }
        return new Load("wrk", requests, secs, rps, p50, p99, bytes, non2xx, errors, out, Double.NaN);
    }

    private static double percentile(String out, String p) {
        Matcher m = Pattern.compile("\\s" + p + "%\\s+([0-9.]+)(us|ms|s|m)\\b").matcher(out);
        return m.find() ? time(m.group(1), m.group(2)) : Double.NaN;
    }

    static Load parseAb(String out, List<String> csv) {
        long complete = (long) find(out, "Complete requests:\\s+(\\d+)", 0);
        long failed = (long) find(out, "Failed requests:\\s+(\\d+)", 0);
        long non2xx = (long) find(out, "Non-2xx responses:\\s+(\\d+)", 0);
        double secs = find(out, "Time taken for tests:\\s+([0-9.]+) seconds", Double.NaN);
        double rps = find(out, "Requests per second:\\s+([0-9.]+)", 0);
        double bytes = find(out, "Total transferred:\\s+(\\d+) bytes", 0);
        double p50 = Double.NaN;
        double p99 = Double.NaN;
        for (String line : csv) { // "Percentage served,Time in ms" then "0,1.234" … "100,…"
            String[] f = line.split(",");
            if (f.length == 2 && f[0].equals("50")) {
                p50 = Double.parseDouble(f[1]);
            } else if (f.length == 2 && f[0].equals("99")) {
                p99 = Double.parseDouble(f[1]);
            }
        }
        if (complete == 0 && !out.contains("Complete requests")) {
            throw new IllegalStateException("unreadable ab output:\n" + out);
        }
        return new Load("ab", complete, secs, rps, p50, p99, bytes, non2xx, failed, out, Double.NaN);
    }

    private static double find(String out, String regex, double otherwise) {
        Matcher m = Pattern.compile(regex).matcher(out);
        return m.find() ? Double.parseDouble(m.group(1)) : otherwise;
    }

    /** wrk's time with its unit, in milliseconds. */
    static double time(String value, String unit) {
        double v = Double.parseDouble(value);
        return switch (unit.toLowerCase(Locale.ROOT)) {
            case "us" -> v / 1000;
            case "ms" -> v;
            case "s" -> v * 1000;
            case "m" -> v * 60_000;
            default -> throw new IllegalArgumentException(unit);
        };
    }

    /** wrk's byte counts are binary units. */
    static double bytes(String value, String unit) {
        double v = Double.parseDouble(value);
        return switch (unit) {
            case "B" -> v;
            case "KB" -> v * 1024;
            case "MB" -> v * 1024 * 1024;
            case "GB" -> v * 1024 * 1024 * 1024;
            case "TB" -> v * 1024L * 1024 * 1024 * 1024;
            default -> throw new IllegalArgumentException(unit);
        };
    }
}
