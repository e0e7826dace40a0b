package io.berth.bench;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

/**
 * The harness: the machine's limits once, then rounds of (Distribution, Berth), each server started on a fresh
 * data directory and driven through every phase; the tables at the end.
 */
final class Bench {
    private static final String TAGS_REPO = "bench/tags";
    private static final String BIG_REPO = "bench/big";
    private static final String SMALL_REPO = "bench/small";

    private final Options options;
    private final Sizes sizes;
    private final Report report = new Report();
    private final Path out;
    private final Path scratch;
    private Content content;
    private LoadTools tools;

    Bench(Options options) throws IOException {
        this.options = options;
        this.sizes = options.quick ? Sizes.quick() : Sizes.full();
        this.out = options.out != null ? options.out
                : (Files.isDirectory(Path.of("bench")) ? Path.of("bench", "results") : Path.of("bench-results"))
                        .resolve(LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")));
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
        System.out.print(report.text());
        System.out.printf("%nload average before %s, after %s; %s in total. Report: %s/report.md and report.json%n",
                loadBefore, loadAfter, report.meta.get("duration"), out);
        deleteTree(scratch);
        return report.anyFailure() ? 1 : 0;
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
                new Run(process, tally, round).all();
            }
        } catch (Exception e) {
            tally.add("run", "aborted: " + e, 1);
            System.out.println("  ABORTED: " + e);
        } finally {
            report.failures(name, round, tally.all());
            if (data != null && !options.keepData) {
                deleteTree(data);
            }
        }
    }

    static void deleteTree(Path dir) {
        try (Stream<Path> walk = Files.walk(dir)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // best effort
        }
    }

    /** A task of a concurrent workload: true when it succeeded. */
    private interface Task {
        boolean run(HttpClient client, int index);
    }

    private interface Body {
        void run() throws Exception;
    }

    /** One server in one round. */
    private final class Run {
        final ServerProcess server;
        final Tally tally;
        final int round;
        final Registry registry;
        final List<HttpClient> clients = new ArrayList<>();
        final BitSet bigPushed = new BitSet();
        final BitSet tagsPushed = new BitSet();
        boolean tagBase;
        boolean reposCreated;
        boolean berthOnlyPhase;
        double lastCheckMs;
        double maxPeak;
        String phase;
        final List<String> phaseFigures = new ArrayList<>();

        Run(ServerProcess server, Tally tally, int round) {
            this.server = server;
            this.tally = tally;
            this.round = round;
            this.registry = new Registry(server.base, tally, Duration.ofSeconds(options.quick ? 30 : 120));
        }

        HttpClient client(int i) {
            while (clients.size() <= i) {
                clients.add(Registry.client());
            }
            return clients.get(i);
        }

        void all() throws Exception {
            startup();
            Phase[] phases = {
                new Phase("upload-mono-1", this::uploadMono1), new Phase("upload-mono-8", this::uploadMono8),
                new Phase("upload-chunked", this::uploadChunked), new Phase("upload-small-1", () -> uploadSmall(1)),
                new Phase("upload-small-8", () -> uploadSmall(8)), new Phase("download-1", this::download1),
                new Phase("download-8", this::download8), new Phase("download-range", this::downloadRange),
                new Phase("manifest-put-1", this::manifestPut1), new Phase("manifest-put-8", this::manifestPut8),
                new Phase("manifest-get", this::manifestGet), new Phase("manifest-head", this::manifestHead),
                new Phase("blob-head", this::blobHead), new Phase("tags-list", this::tagsList),
                new Phase("catalog", this::catalog), new Phase("listing", this::listing, true),
                new Phase("mixed", this::mixed)};
            for (Phase p : phases) {
                if (!options.runs(p.name)) {
                    continue;
                }
                if (p.berthOnly && !server.name.equals("Berth")) {
                    System.out.printf("  %-15s n/a (Berth only: %s has no such API)%n", p.name, server.name);
                    continue;
                }
                berthOnlyPhase = p.berthOnly;
                measured(p.name, p.body);
                berthOnlyPhase = false;
            }
            fig("rss-peak", "server peak RSS (VmHWM), max over phases", "MiB", false, maxPeak);
            fig("cpu-total", "server CPU, whole run incl. setup", "s", false, server.cpuSeconds());
        }

        /** {@code berthOnly}: Distribution has nothing to measure (its figures show "n/a (Berth only)"). */
        record Phase(String name, Body body, boolean berthOnly) {
            Phase(String name, Body body) {
                this(name, body, false);
            }
        }

        // ---- bookkeeping ----

        void fig(String id, String label, String unit, boolean higherBetter, double value) {
            String name = server.name;
            report.add(new Report.Figure(id, label, unit, higherBetter, berthOnlyPhase), name, round, value, false);
            phaseFigures.add(id);
        }

        void measured(String name, Body body) throws Exception {
            if (!server.alive()) {
                throw new IOException(server.name + " is no longer running (exit " + server.process.exitValue() + ")");
            }
            phase = name;
            registry.phase = name;
            phaseFigures.clear();
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
            double peak = server.peakRssMiB();
            maxPeak = Math.max(maxPeak, peak);
            report.phase(name, server.name, round, cpu, peak, wall);
            long bad = tally.inPhase(name);
            if (bad > 0) {
                phaseFigures.forEach(f -> report.markSuspect(f, server.name));
            }
            System.out.printf("  %-15s %-60s cpu %5.1f s, peak RSS %5.0f MiB, %5.1f s%s%n", name, summary(), cpu, peak, wall,
                    bad > 0 ? ", " + bad + " UNEXPECTED ANSWERS" : "");
        }

        String summary() {
            StringBuilder s = new StringBuilder();
            for (String id : phaseFigures) {
                Report.Figure f = report.figures.get(id);
                double v = report.values.get(id).get(server.name).get(round);
                s.append(s.length() == 0 ? "" : ", ").append(Report.num(v)).append(' ').append(f.unit());
            }
            return s.toString();
        }

        void setup(String what) {
            registry.phase = "setup (" + what + ") before " + phase;
        }

        void endSetup() {
            registry.phase = phase;
        }

        /** Runs {@code tasks} tasks on {@code threads} threads, each with its own HttpClient; returns seconds. */
        double parallel(int threads, int tasks, Task task) throws InterruptedException {
            AtomicInteger next = new AtomicInteger();
            AtomicInteger failed = new AtomicInteger();
            List<Thread> workers = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                HttpClient c = client(t);
                workers.add(new Thread(() -> {
                    for (int i; (i = next.getAndIncrement()) < tasks; ) {
                        try {
                            if (!task.run(c, i)) {
                                failed.incrementAndGet();
                            }
                        } catch (RuntimeException e) {
                            tally.add(registry.phase, "client error " + e, 1);
                            failed.incrementAndGet();
                        }
                    }
                }, "bench-worker-" + t));
            }
            long t0 = System.nanoTime();
            workers.forEach(Thread::start);
            for (Thread w : workers) {
                w.join();
            }
            return (System.nanoTime() - t0) / 1e9;
        }

        void load(String id, String label, LoadTools.Load l, double minBytesPerAnswer) {
            tally.add(phase, l.tool() + ": non-2xx answers", l.non2xx());
            tally.add(phase, l.tool() + ": " + (l.tool().equals("ab") ? "failed requests" : "socket errors"), l.errors());
            if (l.requests() == 0) {
                tally.add(phase, l.tool() + ": no request completed", 1);
            }
            // wrk prints its byte count rounded to two decimals of its unit (e.g. "1.95GB read"): allow 1 %.
            if (minBytesPerAnswer > 0 && l.requests() > 0 && l.bytesPerRequest() < 0.99 * minBytesPerAnswer) {
                tally.add(phase, String.format("%s: %.0f bytes per answer, expected at least %.0f", l.tool(), l.bytesPerRequest(),
                        minBytesPerAnswer), 1);
            }
            fig(id + "-rps", label + " req/s", "req/s", true, l.requestsPerSecond());
            fig(id + "-p50", label + " p50", "ms", false, l.p50Ms());
            fig(id + "-p99", label + " p99", "ms", false, l.p99Ms());
        }

        LoadTools.Load wrk(String label, String path, int connections, String lua) throws Exception {
            String url = server.base + path;
            String tag = server.name + "-r" + round + "-" + label;
            if (!options.quick) {
                tools.wrk(tag + "-warmup", url, connections, 1, lua);
            }
            return tools.wrk(tag, url, connections, options.loadSeconds, lua);
        }

        LoadTools.Load abHead(String label, String path, int connections, List<String> headers) throws Exception {
            String url = server.base + path;
            String tag = server.name + "-r" + round + "-" + label;
            if (!options.quick) {
                tools.abHead(tag + "-warmup", url, connections, 1, headers);
            }
            return tools.abHead(tag, url, connections, options.loadSeconds, headers);
        }

        double mib(long bytes, double seconds) {
            return bytes / (double) Sizes.MIB / seconds;
        }

        // ---- phases ----

        void startup() throws Exception {
            phase = "start-up";
            phaseFigures.clear();
            double ms = server.awaitReady(Duration.ofSeconds(60));
            double cpu = server.cpuSeconds();
            double peak = server.peakRssMiB();
            maxPeak = peak;
            fig("startup", "start-up to first 200 on /v2/", "ms", false, ms);
            fig("rss-idle", "RSS after start-up", "MiB", false, server.rssMiB());
            report.phase("start-up", server.name, round, cpu, peak, ms / 1000);
            System.out.printf("  %-15s %-60s cpu %5.1f s, peak RSS %5.0f MiB%n", "start-up", summary(), cpu, peak);
        }

        void uploadMono1() throws Exception {
            Content.Blob blob = content.big.get(0);
            long t0 = System.nanoTime();
            boolean ok = registry.pushMonolithic(client(0), BIG_REPO, blob);
            double s = (System.nanoTime() - t0) / 1e9;
            bigPushed.set(0, ok);
            fig("upload-mono-1", "upload " + sizes.bigLabel() + " monolithic, 1 client", "MiB/s", true, ok ? mib(blob.size(), s) : Double.NaN);
        }

        void uploadMono8() throws Exception {
            int n = sizes.bigClients();
            AtomicInteger ok = new AtomicInteger();
            double s = parallel(n, n, (c, i) -> {
                boolean done = registry.pushMonolithic(c, BIG_REPO, content.big.get(1 + i));
                if (done) {
                    synchronized (bigPushed) {
                        bigPushed.set(1 + i);
                    }
                    ok.incrementAndGet();
                }
                return done;
            });
            fig("upload-mono-8", "upload " + sizes.bigLabel() + " monolithic, " + n + " clients (aggregate)", "MiB/s", true,
                    mib(ok.get() * (long) sizes.bigBlob(), s));
        }

        void uploadChunked() throws Exception {
            Content.Blob blob = content.big.get(sizes.bigClients() + 1);
            long t0 = System.nanoTime();
            boolean ok = registry.pushChunked(client(0), BIG_REPO, blob, sizes.chunk());
            double s = (System.nanoTime() - t0) / 1e9;
            fig("upload-chunked", "upload " + sizes.bigLabel() + " chunked (" + Sizes.bytes(sizes.chunk()) + " PATCHes)", "MiB/s", true,
                    ok ? mib(blob.size(), s) : Double.NaN);
        }

        void uploadSmall(int clients) throws Exception {
            List<Content.Blob> blobs = clients == 1 ? content.small1 : content.small8;
            AtomicInteger ok = new AtomicInteger();
            double s = parallel(clients, blobs.size(), (c, i) -> {
                boolean done = registry.pushMonolithic(c, SMALL_REPO, blobs.get(i));
                if (done) {
                    ok.incrementAndGet();
                }
                return done;
            });
            fig("upload-small-" + clients, "upload " + blobs.size() + " × " + Sizes.bytes(sizes.smallBlob()) + " blobs, " + clients
                    + (clients == 1 ? " client" : " clients"), "blobs/s", true, ok.get() / s);
        }

        void ensureBig(int from, int to) throws Exception {
            for (int i = from; i < to; i++) {
                if (!bigPushed.get(i)) {
                    setup("push big blob " + i);
                    bigPushed.set(i, registry.pushMonolithic(client(0), BIG_REPO, content.big.get(i)));
                    endSetup();
                }
            }
        }

        void download1() throws Exception {
            ensureBig(0, 1);
            Content.Blob blob = content.big.get(0);
            setup("verify digest on first download");
            registry.getBlob(client(0), BIG_REPO, blob, true);
            endSetup();
            long bytes = 0;
            long t0 = System.nanoTime();
            for (int r = 0; r < sizes.downloadRepeats(); r++) {
                long n = registry.getBlob(client(0), BIG_REPO, blob, false);
                bytes += Math.max(0, n);
            }
            double s = (System.nanoTime() - t0) / 1e9;
            fig("download-1", "download " + sizes.bigLabel() + ", 1 client", "MiB/s", true, mib(bytes, s));
        }

        void download8() throws Exception {
            int n = sizes.bigClients();
            ensureBig(1, 1 + n);
            setup("verify digest on first download");
            registry.getBlob(client(0), BIG_REPO, content.big.get(1), true);
            endSetup();
            AtomicInteger ok = new AtomicInteger();
            double s = parallel(n, n, (c, i) -> {
                boolean done = registry.getBlob(c, BIG_REPO, content.big.get(1 + i), false) > 0;
                if (done) {
                    ok.incrementAndGet();
                }
                return done;
            });
            fig("download-8", "download " + sizes.bigLabel() + ", " + n + " clients (aggregate)", "MiB/s", true,
                    mib(ok.get() * (long) sizes.bigBlob(), s));
        }

        void downloadRange() throws Exception {
            ensureBig(0, 1);
            Content.Blob blob = content.big.get(0);
            int length = sizes.rangeBytes();
            for (long from : new long[] {0, blob.size() / 3 + 7, blob.size() - length}) {
                registry.checkRange(client(0), BIG_REPO, blob, from, length);
            }
            String path = "/v2/" + BIG_REPO + "/blobs/" + blob.digest();
            String lua = """
                    math.randomseed(7)
                    request = function()
                      local from = math.random(0, %d)
                      return wrk.format("GET", "%s", { ["Range"] = "bytes=" .. from .. "-" .. (from + %d) })
                    end
                    """.formatted(blob.size() - length, path, length - 1);
            load("range", Sizes.bytes(length) + " range GETs, 8 connections", wrk("range", path, 8, lua), length);
        }

        void ensureTagBase() {
            if (!tagBase) {
                setup("push config and layer to " + TAGS_REPO);
                tagBase = registry.pushMonolithic(client(0), TAGS_REPO, content.tagConfig)
                        & registry.pushMonolithic(client(0), TAGS_REPO, content.tagLayer);
                endSetup();
            }
        }

        double pushTags(int threads, int from, int to) throws InterruptedException {
            return parallel(threads, to - from, (c, i) -> {
                boolean ok = registry.putManifest(c, TAGS_REPO, Content.tag(from + i), content.tagManifest(from + i));
                if (ok) {
                    synchronized (tagsPushed) {
                        tagsPushed.set(from + i);
                    }
                }
                return ok;
            });
        }

        void ensureTags(int to) throws InterruptedException {
            ensureTagBase();
            int missing = to - tagsPushed.get(0, to).cardinality();
            if (missing > 0) {
                setup("push " + missing + " tags");
                int first = tagsPushed.nextClearBit(0);
                pushTags(8, first, to);
                endSetup();
            }
        }

        void manifestPut1() throws Exception {
            ensureTagBase();
            int n = sizes.manifestPut1();
            int before = tagsPushed.cardinality();
            double s = pushTags(1, 0, n);
            fig("manifest-put-1", "manifest PUT (distinct manifests, new tags), 1 client", "manifests/s", true,
                    (tagsPushed.cardinality() - before) / s);
        }

        void manifestPut8() throws Exception {
            ensureTagBase();
            int before = tagsPushed.cardinality();
            double s = pushTags(8, sizes.manifestPut1(), sizes.tagCount());
            fig("manifest-put-8", "manifest PUT (distinct manifests, new tags), 8 clients", "manifests/s", true,
                    (tagsPushed.cardinality() - before) / s);
        }

        void manifestGet() throws Exception {
            ensureTags(1);
            byte[] manifest = content.tagManifest(0);
            registry.getManifest(client(0), TAGS_REPO, Content.tag(0), Content.hex(Content.sha256().digest(manifest)));
            String lua = "wrk.headers[\"Accept\"] = \"" + Content.OCI_MANIFEST + "\"\n";
            load("manifest-get", "manifest GET by tag, 64 connections (wrk)",
                    wrk("manifest-get", "/v2/" + TAGS_REPO + "/manifests/" + Content.tag(0), 64, lua), manifest.length);
        }

        void manifestHead() throws Exception {
            ensureTags(1);
            String path = "/v2/" + TAGS_REPO + "/manifests/" + Content.tag(0);
            registry.head(client(0), path, Content.OCI_MANIFEST, "HEAD manifest");
            load("manifest-head", "manifest HEAD by tag, 64 connections (ab)",
                    abHead("manifest-head", path, 64, List.of("Accept: " + Content.OCI_MANIFEST)), 0);
        }

        void blobHead() throws Exception {
            ensureTagBase();
            String path = "/v2/" + TAGS_REPO + "/blobs/" + content.tagLayer.digest();
            registry.head(client(0), path, null, "HEAD blob");
            load("blob-head", "blob HEAD, 64 connections (ab)", abHead("blob-head", path, 64, List.of()), 0);
        }

        void tagsList() throws Exception {
            int total = sizes.tagCount();
            int page = Math.max(1, total / 10);
            ensureTags(total);
            String base = "/v2/" + TAGS_REPO + "/tags/list";
            Optional<Registry.Page> all = registry.getJson(client(0), base, "GET tags list");
            int allBytes = all.map(Registry.Page::bytes).orElse(0);
            int count = all.map(p -> p.json().path("tags").size()).orElse(-1);
            if (count != total) {
                tally.add(phase, "GET tags list → " + count + " tags, expected " + total, 1);
            }
            // Walk every page of n=page, following Link.
            long t0 = System.nanoTime();
            Optional<String> next = Optional.of(base + "?n=" + page);
            int seen = 0;
            int pages = 0;
            int firstPage = -1;
            while (next.isPresent() && pages < total + 2) {
                Optional<Registry.Page> p = registry.getJson(client(0), next.get(), "GET tags page");
                if (p.isEmpty()) {
                    break;
                }
                int n = p.get().json().path("tags").size();
                firstPage = firstPage < 0 ? n : firstPage;
                seen += n;
                pages++;
                next = p.get().next();
            }
            double walkMs = (System.nanoTime() - t0) / 1e6;
            if (seen != total) {
                tally.add(phase, "tags pages (n=" + page + ") → " + seen + " tags in " + pages + " pages, expected " + total, 1);
            }
            if (firstPage > page) {
                report.note(server.name + " ignores n on the tags list: ?n=" + page + " answered " + firstPage
                        + " tags in one page, so its paged figures measure the whole list");
            }
            fig("tags-walk", "tags list, walk all pages of n=" + page + " (" + total + " tags), 1 client", "ms", false, walkMs);
            load("tags-all", "tags list unpaged (" + total + " tags), 8 connections", wrk("tags-all", base, 8, null), allBytes * 0.95);
            String middle = base + "?n=" + page + "&last=" + Content.tag(total / 2 - 1);
            load("tags-page", "tags list one page n=" + page + " (middle), 8 connections", wrk("tags-page", middle, 8, null), 0);
        }

        /** Creates the catalog's repositories cat/r0000 … (8 clients); returns repositories per second. */
        double createRepos() throws InterruptedException {
            ensureTagBase();
            int repos = sizes.repoCount();
            byte[] manifest = Content.manifest(content.tagConfig, List.of(content.tagLayer), "catalog");
            AtomicInteger ok = new AtomicInteger();
            double s = parallel(8, repos, (c, i) -> {
                String repo = String.format("cat/r%04d", i);
                boolean done = registry.mount(c, repo, content.tagConfig.digest(), TAGS_REPO)
                        && registry.mount(c, repo, content.tagLayer.digest(), TAGS_REPO)
                        && registry.putManifest(c, repo, "latest", manifest);
                if (done) {
                    ok.incrementAndGet();
                }
                return done;
            });
            reposCreated = true;
            return ok.get() / s;
        }

        void ensureRepos() throws InterruptedException {
            if (!reposCreated) {
                setup("create " + sizes.repoCount() + " repositories");
                createRepos();
                endSetup();
            }
        }

        void catalog() throws Exception {
            int repos = sizes.repoCount();
            fig("repo-create", "create repository (2 mounts + manifest PUT), 8 clients", "repos/s", true, createRepos());
            // Distribution 2.8 refuses n > 1000 on the catalog (PAGINATION_NUMBER_INVALID), so both are read in pages.
            int pageSize = Math.max(1, Math.min(1000, repos / 2));
            String first = "/v2/_catalog?n=" + pageSize;
            long t0 = System.nanoTime();
            Optional<String> next = Optional.of(first);
            long catalogued = 0;
            int pages = 0;
            int firstBytes = 0;
            while (next.isPresent() && pages < repos + 10) {
                Optional<Registry.Page> page = registry.getJson(client(0), next.get(), "GET catalog page");
                if (page.isEmpty()) {
                    break;
                }
                firstBytes = pages == 0 ? page.get().bytes() : firstBytes;
                for (var name : page.get().json().path("repositories")) {
                    catalogued += name.asText().startsWith("cat/") ? 1 : 0;
                }
                pages++;
                next = page.get().next();
            }
            double walkMs = (System.nanoTime() - t0) / 1e6;
            if (catalogued != repos) {
                tally.add(phase, "catalog pages (n=" + pageSize + ") → " + catalogued + " cat/ repositories in " + pages
                        + " pages, expected " + repos, 1);
            }
            fig("catalog-walk", "catalog, walk all pages of n=" + pageSize + " (" + repos + "+ repositories), 1 client", "ms", false, walkMs);
            load("catalog", "catalog first page n=" + pageSize + ", 8 connections", wrk("catalog", first, 8, null), firstBytes * 0.95);
        }

        /**
         * Berth's listing API over the same data as tags-list and catalog (the tags repository and the cat/
         * repositories): artifacts first page, a middle page (cursor {@code <repository>|t:<tag>}), repositories
         * first page, one artifact in full. Each answer is checked once (200, JSON, entry count) before its wrk run.
         */
        void listing() throws Exception {
            int total = sizes.tagCount();
            ensureTags(total);
            ensureRepos();
            int n = Math.min(100, Math.min(total / 10, sizes.repoCount() / 2));
            String repo = "repository=" + encode(TAGS_REPO);

            String first = "/api/v1/artifacts?" + repo + "&n=" + n;
            Optional<Registry.Page> firstPage = listingPage(first, "artifacts", n, Content.tag(0), true);
            double firstMs = lastCheckMs;
            // The cursor the server itself puts into the first page's Link must be the one built for the middle page.
            String expectedCursor = TAGS_REPO + "|t:" + Content.tag(n - 1);
            firstPage.flatMap(Registry.Page::next).ifPresent(link -> {
                String last = link.replaceAll(".*[?&]last=([^&]*).*", "$1");
                if (!URLDecoder.decode(last, StandardCharsets.UTF_8).equals(expectedCursor)) {
                    tally.add(phase, "GET artifacts first page → Link cursor " + last + ", expected " + expectedCursor, 1);
                }
            });
            int middleAfter = total / 2 - 1;
            String middle = "/api/v1/artifacts?" + repo + "&n=" + n + "&last=" + encode(TAGS_REPO + "|t:" + Content.tag(middleAfter));
            Optional<Registry.Page> middlePage = listingPage(middle, "artifacts", n, Content.tag(middleAfter + 1), true);
            double middleMs = lastCheckMs;
            String repos = "/api/v1/repositories?n=" + n;
            Optional<Registry.Page> reposPage = listingPage(repos, "repositories", n, null, true);
            double reposMs = lastCheckMs;
            String reference = Content.tag(total / 2);
            String one = "/api/v1/artifact?" + repo + "&reference=" + reference;
            long t0 = System.nanoTime();
            Optional<Registry.Page> artifact = registry.getJson(client(0), one, "GET listing artifact");
            double oneMs = (System.nanoTime() - t0) / 1e6;
            artifact.ifPresent(p -> {
                JsonNode a = p.json();
                if (!reference.equals(a.path("tag").asText()) || !a.path("manifest").isObject() || a.path("layers").size() != 1
                        || a.path("tags").size() != 1 || !reference.equals(a.path("tags").path(0).asText())) {
                    tally.add(phase, "GET listing artifact " + reference + " → tag " + a.path("tag") + ", " + a.path("layers").size()
                            + " layers, tags " + a.path("tags") + "; expected its tag, its manifest, 1 layer", 1);
                }
            });

            String of = " (" + total + " tags), 8 connections";
            load("listing-artifacts-first", "listing API (Berth only): artifacts first page n=" + n + of,
                    slowWrk("listing-artifacts-first", first, firstMs), bytes(firstPage));
            load("listing-artifacts-middle", "listing API (Berth only): artifacts page n=" + n + " after tag "
                    + Content.tag(middleAfter) + of, slowWrk("listing-artifacts-middle", middle, middleMs), bytes(middlePage));
            load("listing-repositories", "listing API (Berth only): repositories first page n=" + n + " (" + sizes.repoCount()
                    + "+ repositories), 8 connections", slowWrk("listing-repositories", repos, reposMs), bytes(reposPage));
            load("listing-artifact", "listing API (Berth only): one artifact in full, 8 connections",
                    slowWrk("listing-artifact", one, oneMs), bytes(artifact));
        }

        /**
         * wrk at 8 connections on a path whose single answer took {@code singleMs}: when answers are slow (8 of them
         * in flight take about 8 × that on 2 cores), the run lasts long enough for about 3 answers per connection, up
         * to 30 s (3 s with --quick), and wrk's timeout grows to twice a round of 8; each run (warm-up too) is followed by one GET
         * that waits for the server to finish what wrk left behind, so the next run starts on an idle server.
         */
        LoadTools.Load slowWrk(String label, String path, double singleMs) throws Exception {
            double round8 = 8 * singleMs / 1000;
            double seconds = Math.max(options.loadSeconds, Math.min(options.quick ? 3 : 30, Math.ceil(3 * round8)));
            int timeout = (int) Math.max(10, Math.ceil(2 * round8));
            if (seconds > options.loadSeconds) {
                report.note(String.format("%s: one answer of %s took %.0f ms, so its wrk run lasted %.0f s (wrk --timeout %d s)",
                        server.name, label, singleMs, seconds, timeout));
            }
            String url = server.base + path;
            String tag = server.name + "-r" + round + "-" + label;
            if (!options.quick) {
                tools.wrk(tag + "-warmup", url, 8, 1, timeout, null);
                drain(path);
            }
            LoadTools.Load l = tools.wrk(tag, url, 8, seconds, timeout, null);
            drain(path);
            return l;
        }

        void drain(String path) {
            setup("wait for the server to finish the answers wrk left");
            registry.getJson(client(0), path, "GET after wrk");
            endSetup();
        }

        /** GET a listing page once: 200, JSON, {@code n} entries under {@code key}, a Link when {@code more}. */
        Optional<Registry.Page> listingPage(String path, String key, int n, String firstTag, boolean more) {
            long t0 = System.nanoTime();
            Optional<Registry.Page> page = registry.getJson(client(0), path, "GET listing " + key);
            lastCheckMs = (System.nanoTime() - t0) / 1e6;
            page.ifPresent(p -> {
                JsonNode entries = p.json().path(key);
                if (entries.size() != n) {
                    tally.add(phase, "GET " + path + " → " + entries.size() + " " + key + ", expected " + n, 1);
                }
                if (firstTag != null && !firstTag.equals(entries.path(0).path("tag").asText())) {
                    tally.add(phase, "GET " + path + " → first tag " + entries.path(0).path("tag") + ", expected " + firstTag, 1);
                }
                if (more && p.next().isEmpty()) {
                    tally.add(phase, "GET " + path + " → no Link to a next page", 1);
                }
            });
            return page;
        }

        double bytes(Optional<Registry.Page> page) {
            return page.map(Registry.Page::bytes).orElse(0) * 0.95;
        }

        String encode(String value) {
            return URLEncoder.encode(value, StandardCharsets.UTF_8);
        }

        void mixed() throws Exception {
            List<Content.Image> images = content.images;
            int n = images.size();
            double push = parallel(n, n, (c, i) -> {
                Content.Image image = images.get(i);
                String repo = String.format("mixed/img-%02d", i);
                boolean ok = registry.pushMonolithic(c, repo, image.config());
                for (Content.Blob layer : image.layers()) {
                    ok = ok && registry.pushMonolithic(c, repo, layer);
                }
                return ok && registry.putManifest(c, repo, "v1", image.manifest());
            });
            double pull = parallel(n, n, (c, i) -> {
                Content.Image image = images.get(i);
                String repo = String.format("mixed/img-%02d", i);
                boolean ok = registry.getManifest(c, repo, "v1", image.manifestDigest()) != null
                        && registry.getBlob(c, repo, image.config(), true) > 0;
                for (Content.Blob layer : image.layers()) {
                    ok = ok && registry.getBlob(c, repo, layer, true) > 0;
                }
                return ok;
            });
            String what = n + " images (config + 3 × " + Sizes.bytes(sizes.imageLayer()) + "), " + n + " concurrent clients";
            fig("mixed-push", "mixed: push " + what, "s", false, push);
            fig("mixed-pull", "mixed: then pull them all, " + n + " concurrent clients", "s", false, pull);
        }
    }
}
