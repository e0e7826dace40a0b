package io.berth.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * The harness: the machine's limits once, then rounds of (Distribution, Berth), each server started on a fresh
 * data directory and driven through every phase (the phase groups: {@link Uploads}, {@link Downloads},
 * {@link Manifests}, {@link Lists}, {@link ListingApi}, {@link Mixed}, over one {@link Run}); the tables at the end.
 */
final class Bench {
    private final Options options;
    private final Sizes sizes;
    private final Report report = new Report();
    private final Path out;
    private final Path scratch;
    /** Data directories of finished rounds, their small files left for the end of the run ({@link #deleteBigFiles}). */
    private final List<Path> spentData = new ArrayList<>();
    private static final long BIG_FILE = 1 << 20;
    /** An answer of the Java client slower than this is worth a note (a 256 MiB download among 8 takes ~2 s): a stall. */
    private static final long SLOW_ANSWER_NANOS = 5_000_000_000L;
    private Content content;
    private LoadTools tools;

    Bench(Options options) throws IOException {
        this.options = options;
        this.sizes = options.quick ? Sizes.quick() : Sizes.full();
        this.out = options.out != null ? options.out : defaultOut("");
        Files.createDirectories(out.resolve("logs"));
        Files.createDirectories(options.tmp);
        this.scratch = Files.createTempDirectory(options.tmp, "berth-bench-scratch-");
    }

    /** Runs everything; 0 when every answer was the expected one, 1 otherwise. */
    int run() throws Exception {
        long t0 = System.nanoTime();
        startWatchdog();
        tools = new LoadTools(scratch, out.resolve("logs"));
        String loadBefore = Machine.loadAverage();
        report.meta.put("started", LocalDateTime.now().withNano(0).toString());
        report.meta.put("machine", Machine.describe());
        report.meta.put("mode", (options.quick ? "quick" : "full") + ", " + options.rounds + " round(s), servers "
                + String.join(",", options.servers) + ", load runs " + options.loadSeconds + " s"
                + (options.only.isEmpty() ? "" : ", only " + String.join(",", options.only)));
        report.meta.put("Berth command", String.join(" ", options.berthCommand));
        report.meta.put("Distribution command", options.distributionCommand + " serve CONFIG (" + version() + ")");
        report.meta.put("load average before", loadBefore);
        System.out.println("berth-bench: " + report.meta.get("mode") + "; results in " + out);
        System.out.println("load average before: " + loadBefore + "  (" + Machine.describe() + ")");

        if (options.runs("machine")) {
            System.out.println("\nThe machine's limits:");
            Machine machine = new Machine();
            machine.measure(sizes, options, scratch, out.resolve("logs"), tools);
            report.machine = machine;
        }
        if (options.runsRounds()) {
            long c0 = System.nanoTime();
            content = new Content(sizes);
            System.out.printf("%nContent made in %.1f s (big blob %s × %d, %d + %d small blobs, %d images)%n",
                    (System.nanoTime() - c0) / 1e9, sizes.bigLabel(), content.big.size(), content.small1.size(),
                    content.small8.size(), content.images.size());
            for (int round = 1; round <= options.rounds; round++) {
                for (String server : options.servers) {
                    runServer(server, round);
                }
            }
        }
        int gc = options.runs(Options.GC) ? separate(Options.GC, () -> new GcBench(options, out).run()) : 0;
        ScaleBench scaleBench = new ScaleBench(options, out);
        int scale = options.runs(ScaleBench.PHASE) ? separate(ScaleBench.PHASE, scaleBench::run) : 0;
        int tls = options.runs(TlsPullBench.PHASE) ? separate(TlsPullBench.PHASE, () -> new TlsPullBench(options, out).run()) : 0;
        spentData.forEach(Bench::deleteTree);
        Curves curves = new Curves(report, scaleBench.points(), options.scalePostgres ? "PostgreSQL" : "SQLite");
        report.curves = curves.any() ? curves : null;
        String loadAfter = Machine.loadAverage();
        report.meta.put("load average after", loadAfter);
        report.meta.put("duration", String.format("%.0f s", (System.nanoTime() - t0) / 1e9));
        report.write(out, options.rounds);
        System.out.println();
        if (report.machine != null) {
            System.out.println("The machine's limits:");
            report.machine.figures.forEach((k, v) -> System.out.printf("  %-62s %12s %s%n", k, Report.num((Double) v[0]), v[1]));
            System.out.println();
        }
        if (options.runsRounds()) {
            System.out.print(report.text());
        }
        if (report.curves != null) {
            System.out.print("\n" + report.curves.text());
        }
        System.out.printf("%nload average before %s, after %s; %s in total. Report: %s/report.md and report.json%n",
                loadBefore, loadAfter, report.meta.get("duration"), out);
        deleteTree(scratch);
        return report.anyFailure() || gc != 0 || scale != 0 || tls != 0 ? 1 : 0;
    }

    private String version() {
        try {
            Path log = scratch.resolve("version.txt");
            Children.run(List.of(options.distributionCommand, "--version"), log.toFile(), 10);
            return Files.readString(log).trim();
        } catch (Exception e) {
            return "version unknown";
        }
    }

    private void startWatchdog() {
        long limit = (long) (options.timeoutMinutes * 60_000);
        Thread watchdog = new Thread(() -> {
            try {
                Thread.sleep(limit);
                System.err.println("berth-bench: watchdog: still running after " + options.timeoutMinutes + " min, killing everything");
                Children.killAll();
                Runtime.getRuntime().halt(3);
            } catch (InterruptedException e) {
                // done
            }
        }, "bench-watchdog");
        watchdog.setDaemon(true);
        watchdog.start();
    }

    private void runServer(String server, int round) {
        String name = server.equals("berth") ? "Berth" : "Distribution";
        System.out.printf("%n== round %d: %s ==%n", round, name);
        Tally tally = new Tally();
        Path data = null;
        try {
            data = Files.createTempDirectory(options.tmp, "berth-bench-" + server + "-r" + round + "-");
            try (ServerProcess process = ServerProcess.start(server, options, data,
                    out.resolve("logs").resolve(server + "-r" + round + ".log").toFile())) {
                phases(new Run(options, sizes, report, content, tools, process, tally, round));
            }
        } catch (Exception e) {
            tally.add("run", "aborted: " + e, 1);
            System.out.println("  ABORTED: " + e);
        } finally {
            report.failures(name, round, tally.all());
            if (data != null && !options.keepData) {
                deleteBigFiles(data);
                spentData.add(data);
            }
        }
    }

    /**
     * Frees the space and drops the unwritten pages of a finished round's big files at once. Its many small files go
     * at the end of the run: on ext4 without a journal (as here) every file created afterwards skips each inode freed
     * in the last minutes, and reads its inode-table block to find out, so deleting tens of thousands of files
     * between rounds made file creation in the next server's round several times dearer than it is.
     */
    private static void deleteBigFiles(Path dir) {
        try (Stream<Path> walk = Files.walk(dir)) {
            walk.filter(p -> p.toFile().length() >= BIG_FILE).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // best effort
        }
    }

    /** bench/results/PREFIX&lt;timestamp&gt; (bench-results/… outside the repository's root). */
    static Path defaultOut(String prefix) {
        return (Files.isDirectory(Path.of("bench")) ? Path.of("bench", "results") : Path.of("bench-results"))
                .resolve(prefix + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")));
    }

    static void deleteTree(Path dir) {
        try (Stream<Path> walk = Files.walk(dir)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // best effort
        }
    }

    private interface Body {
        void run() throws Exception;
    }

    /** {@code berthOnly}: Distribution has nothing to measure (its figures show "n/a (Berth only)"). */
    private record Phase(String name, Body body, boolean berthOnly) {
        Phase(String name, Body body) {
            this(name, body, false);
        }
    }

    /** Start-up, then every phase that --only selects, in this order; then the run's totals. */
    private void phases(Run run) throws Exception {
        startup(run);
        Uploads up = new Uploads(run);
        Downloads down = new Downloads(run);
        Manifests man = new Manifests(run);
        Lists lists = new Lists(run);
        ListingApi listing = new ListingApi(run);
        Mixed mixed = new Mixed(run);
        Warmup warmup = new Warmup(run);
        Phase[] phases = {
            new Phase(Options.WARM_UP, () -> warmup.run(up)),
            new Phase("upload-mono-1", up::mono1), new Phase("upload-mono-8", up::mono8),
            new Phase(Options.OPT_IN_MONO_32, up::mono32), new Phase("upload-chunked", up::chunked),
            new Phase("upload-small-1", () -> up.small(1)),
            new Phase("upload-small-8", () -> up.small(8)), new Phase(Options.OPT_IN_SMALL_WARM, up::smallWarm),
            new Phase("download-1", down::one),
            new Phase("download-8", down::eight), new Phase("download-range", down::range),
            new Phase("manifest-put-1", man::put1), new Phase("manifest-put-8", man::put8),
            new Phase("manifest-get", man::get), new Phase("manifest-head", man::head),
            new Phase("blob-head", man::blobHead), new Phase("tags-list", lists::tags),
            new Phase("catalog", lists::catalog), new Phase("mixed", mixed::pushThenPull),
            new Phase("listing", listing::listing, true), // last: a phase only Berth runs must not load its later figures
            new Phase(IdleConnections.PHASE, new IdleConnections(run)::measure, true)};
        ServerProcess server = run.server;
        for (Phase p : phases) {
            if (!options.runs(p.name)) {
                continue;
            }
            if (p.berthOnly && !server.name.equals("Berth")) {
                System.out.printf("  %-15s n/a (Berth only: %s has no such API)%n", p.name, server.name);
                continue;
            }
            run.berthOnlyPhase = p.berthOnly;
            measured(run, p.name, p.body);
            run.berthOnlyPhase = false;
        }
        run.fig("rss-peak", "server peak RSS (VmHWM), max over phases", "MiB", false, run.maxPeak);
        run.fig("cpu-total", "server CPU, whole run incl. setup", "s", false, server.cpuSeconds());
    }

    private void startup(Run run) throws Exception {
        ServerProcess server = run.server;
        run.phase = "start-up";
        run.phaseFigures.clear();
        // bin/berth-cluster run as --berth-cmd starts PostgreSQL, three JVMs and nginx before it answers.
        double ms = server.awaitReady(Duration.ofSeconds(180));
        double cpu = server.cpuSeconds();
        double peak = server.peakRssMiB();
        run.maxPeak = peak;
        run.fig("startup", "start-up to first 200 on /v2/", "ms", false, ms);
        run.fig("rss-idle", "RSS after start-up", "MiB", false, server.rssMiB());
        report.phase("start-up", server.name, run.round, cpu, peak, ms / 1000);
        System.out.printf("  %-15s %-60s cpu %5.1f s, peak RSS %5.0f MiB%n", "start-up", run.summary(), cpu, peak);
    }

    /** One phase: its server CPU, peak RSS and wall time around {@code body}, and its line of output. */
    private void measured(Run run, String name, Body body) throws Exception {
        ServerProcess server = run.server;
        Tally tally = run.tally;
        if (!server.alive()) {
            throw new IOException(server.name + " is no longer running (exit " + server.process.exitValue() + ")");
        }
        run.phase = name;
        run.registry.phase = name;
        run.phaseFigures.clear();
        if (!server.resetPeak()) {
            report.note("/proc/PID/clear_refs could not be written for " + server.name
                    + ": its per-phase peak RSS is the peak since start");
        }
        double cpu0 = server.cpuSeconds();
        long t0 = System.nanoTime();
        try {
            body.run();
        } catch (Exception e) {
            tally.add(name, "phase failed: " + e.toString().lines().findFirst().orElse(""), 1);
            System.out.println("  " + name + " FAILED: " + e.toString().lines().findFirst().orElse(""));
        }
        double wall = (System.nanoTime() - t0) / 1e9;
        double cpu = server.cpuSeconds() - cpu0;
        Registry.Slowest slowest = run.registry.takeSlowest();
        if (slowest.nanos() > SLOW_ANSWER_NANOS) {
            report.note(String.format("%s, round %d, %s: one answer (%s) took %.0f ms", server.name, run.round, name,
                    slowest.what(), slowest.nanos() / 1e6));
        }
        double peak = server.peakRssMiB();
        run.maxPeak = Math.max(run.maxPeak, peak);
        report.phase(name, server.name, run.round, cpu, peak, wall);
        long bad = tally.inPhase(name);
        if (bad > 0) {
            run.phaseFigures.forEach(f -> report.markSuspect(f, server.name));
        }
        System.out.printf("  %-15s %-60s cpu %5.1f s, peak RSS %5.0f MiB, %5.1f s%s%n", name, run.summary(), cpu, peak, wall,
                bad > 0 ? ", " + bad + " UNEXPECTED ANSWERS" : "");
    }

    /**
     * A phase that runs its servers itself (Berth alone for gc and scale) and writes its own {@code <phase>.json}: 0
     * when it found no problem; 1, with a note and a failure in the report, when it found one or was aborted.
     */
    private int separate(String phase, java.util.concurrent.Callable<Integer> run) {
        int status;
        try {
            status = run.call();
        } catch (Exception e) {
            System.out.println("  " + phase + " ABORTED: " + e);
            report.failures("Berth", 0, java.util.Map.of(phase + ": aborted: " + e, 1L));
            status = 1;
        }
        if (status != 0) {
            report.note("the " + phase + " phase found problems: see its output and " + phase + ".json");
        }
        return status;
    }
}
