package io.berth.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.berth.server.meta.DatabaseConfig;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The garbage collection benchmark ({@code --only gc}, Berth only): a store of at least 100,000 blobs and 1,000,000
 * tags made directly ({@link GcStore}, from a seed), Berth started on it with a one-hour grace period and no
 * schedule, then paced clients — manifest GET by tag and blob GET, each request timed from when it was due, so that a
 * stall counts in full — first without a collection and then while one runs. Figures: the collection's phases and
 * what it deleted (which must be exactly the garbage made), the server's peak RSS and heap during it, and p50/p99 of
 * both kinds of request before and during it, with the ratio the issue sets a target for (p99 at most 20 % worse).
 */
final class GcBench {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";
    private static final int CLIENTS_PER_KIND = 4;

    private final Options options;
    private final Path out;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    private final Map<String, Object> figures = new LinkedHashMap<>();
    private final List<String> problems = new ArrayList<>();

    GcBench(Options options, Path out) {
        this.options = options;
        this.out = out;
    }

    /** 0 when the collection deleted exactly the garbage and every answer was right, 1 otherwise. */
    int run() throws Exception {
        GcStore.Size size = options.gcTags > 0 ? GcStore.Size.of(options.gcTags, options.gcBlobs)
                : options.quick ? GcStore.Size.quick() : GcStore.Size.full();
        Path data = Files.createTempDirectory(options.tmp, "berth-bench-gc-");
        try {
            if (!options.gcPostgres) {
                return run(size, data, DatabaseConfig.sqlite(data.resolve("store")), Map.of());
            }
            try (ScratchPostgres postgres = ScratchPostgres.create("--gc-postgres", options.keepData)) {
                figures.put("database", "postgresql");
                return run(size, data, postgres.config(), postgres.serverEnvironment());
            }
        } finally {
            if (!options.keepData) {
                Bench.deleteTree(data);
            }
        }
    }

    private int run(GcStore.Size size, Path data, DatabaseConfig database, Map<String, String> databaseEnvironment)
            throws Exception {
        System.out.printf("%n== garbage collection: filling a store (seed %d, %s) ==%n", options.gcSeed,
                database.isSqlite() ? "SQLite" : "PostgreSQL");
        GcStore.Filled filled = GcStore.fill(data.resolve("store"), database, size, options.gcSeed);
        figures.put("store", Map.of("repositories", filled.repositories(), "blobs", filled.blobs(),
                "blobBytes", filled.blobBytes(), "manifests", filled.manifests(), "untaggedManifests", filled.untagged(),
                "tags", filled.tags(), "garbageBlobs", filled.garbageBlobs(), "garbageBytes", filled.garbageBytes(),
                "recentUnreferencedBlobs", filled.recentBlobs(), "fillSeconds", round(filled.seconds())));
        System.out.printf("  %,d repositories, %,d blobs (%s), %,d manifests (%,d untagged), %,d tags; garbage: %,d blobs"
                        + " (%s) untouched for 2 days, %,d unreferenced blobs within the grace period; filled in %.0f s%n",
                filled.repositories(), filled.blobs(), Sizes.bytes(filled.blobBytes()), filled.manifests(),
                filled.untagged(), filled.tags(), filled.garbageBlobs(), Sizes.bytes(filled.garbageBytes()),
                filled.recentBlobs(), filled.seconds());
        Children.run(List.of("sync"), data.resolve("sync.log").toFile(), 300);

        try (ServerProcess server = ServerProcess.startBerth("Berth", options.berthCommand, data,
                out.resolve("logs").resolve("berth-gc.log").toFile(),
                serverEnvironment(databaseEnvironment))) {
            double startMs = server.awaitReady(Duration.ofSeconds(120));
            double quietS = awaitQuiet(server, Duration.ofMinutes(5));
            figures.put("startupMillis", round(startMs));
            System.out.printf("  Berth up in %.0f ms, idle %.0f s later (start-up re-types the stored manifests)%n",
                    startMs, quietS);
            URI base = server.base;
            String manifestPath = "/v2/" + filled.probeRepository() + "/manifests/" + filled.probeTag();
            String blobPath = "/v2/" + filled.probeRepository() + "/blobs/" + filled.probeBlob();
            check(server.port, manifestPath, OCI_MANIFEST, filled.probeManifest());
            check(server.port, blobPath, null, filled.probeBlob());

            double loadSeconds = options.quick ? 3 : Math.max(5, options.loadSeconds * 3);
            Load manifests = new Load(server.port, manifestPath, OCI_MANIFEST, options.gcRate);
            Load blobs = new Load(server.port, blobPath, null, options.gcRate);
            manifests.start();
            blobs.start();
            // Watches the server in all three windows alike, so that its own requests cost the same before, during and after.
            ServerObserver observer = new ServerObserver(base);
            observer.start();
            Thread.sleep(options.quick ? 2000 : 5000); // unmeasured: connections and the JIT
            long beforeFrom = System.currentTimeMillis();
            double cpuAtBeforeFrom = server.cpuSeconds();
            Thread.sleep((long) (loadSeconds * 1000));
            long beforeTo = System.currentTimeMillis();

            double cpuBefore = server.cpuSeconds() - cpuAtBeforeFrom;
            long lastRun = lastRunId(base);
            server.resetPeak();
            double cpuAtRun = server.cpuSeconds();
            double rssBefore = server.rssMiB();
            observer.recordHeapPeak(true);
            CompletableFuture<HttpResponse<byte[]>> post = http.sendAsync(HttpRequest.newBuilder(base.resolve("/api/v1/admin/gc"))
                    .timeout(Duration.ofMinutes(60)).POST(HttpRequest.BodyPublishers.noBody()).build(),
                    HttpResponse.BodyHandlers.ofByteArray());
            JsonNode report = awaitRun(observer, lastRun, post);
            double cpuDuring = server.cpuSeconds() - cpuAtRun;
            observer.recordHeapPeak(false);
            // As long as the run (at least the before window): a p99 over 40 s of a shared machine catches more of its
            // neighbours' bursts than one over 9 s, so this is the fair baseline for the during window.
            long afterFrom = System.currentTimeMillis() + 500;
            long runMillis = Instant.parse(report.get("finishedAt").asText()).toEpochMilli()
                    - Instant.parse(report.get("startedAt").asText()).toEpochMilli();
            Thread.sleep(500 + Math.max((long) (loadSeconds * 1000), runMillis));
            long afterTo = System.currentTimeMillis();
            manifests.stop();
            blobs.stop();
            observer.stop();
            double peakRss = server.peakRssMiB();

            long runFrom = Instant.parse(report.get("startedAt").asText()).toEpochMilli();
            long runTo = Instant.parse(report.get("finishedAt").asText()).toEpochMilli();
            double runSeconds = (runTo - runFrom) / 1000.0;
            Map<String, Object> collection = new LinkedHashMap<>();
            collection.put("status", report.get("status").asText());
            collection.put("seconds", round(runSeconds));
            report.get("phases").forEach(p -> collection.put(p.get("name").asText() + "Seconds",
                    round(p.get("millis").asLong() / 1000.0)));
            for (String field : List.of("blobsExamined", "blobsDeleted", "bytesFreed", "linksDeleted",
                    "orphanFilesDeleted", "missingFiles")) {
                collection.put(field, report.get(field).asLong());
            }
            collection.put("serverCpuCoresBefore", round(cpuBefore / ((beforeTo - beforeFrom) / 1000.0)));
            collection.put("serverCpuCoresDuring", round(cpuDuring / runSeconds));
            collection.put("rssBeforeMiB", round(rssBefore));
            collection.put("rssPeakMiB", round(peakRss));
            collection.put("heapPeakMiB", round(observer.heapPeak() / 1048576.0));
            figures.put("collection", collection);
            if (!report.get("status").asText().equals("done")) {
                problems.add("the collection ended " + report.get("status").asText() + ": " + report.get("error"));
            }
            if (report.get("blobsDeleted").asLong() != filled.garbageBlobs()
                    || report.get("bytesFreed").asLong() != filled.garbageBytes()) {
                problems.add("the collection deleted " + report.get("blobsDeleted") + " blobs (" + report.get("bytesFreed")
                        + " bytes), the store had " + filled.garbageBlobs() + " (" + filled.garbageBytes() + " bytes)");
            }
            if (report.get("missingFiles").asLong() != 0) {
                problems.add("the collection reported missing files");
            }
            System.out.printf("  collection: %s in %.1f s (%s); examined %,d blobs, deleted %,d (%s), %,d links; server"
                            + " RSS %.0f MiB before, peak %.0f MiB during; heap peak %.0f MiB; server CPU %.2f cores"
                            + " before, %.2f during%n",
                    report.get("status").asText(), runSeconds, phases(report), report.get("blobsExamined").asLong(),
                    report.get("blobsDeleted").asLong(), Sizes.bytes(report.get("bytesFreed").asLong()),
                    report.get("linksDeleted").asLong(), rssBefore, peakRss, observer.heapPeak() / 1048576.0,
                    cpuBefore / ((beforeTo - beforeFrom) / 1000.0), cpuDuring / runSeconds);

            Map<String, Object> latency = new LinkedHashMap<>();
            latency.put("clientsPerKind", CLIENTS_PER_KIND);
            latency.put("requestsPerSecondPerKind", options.gcRate);
            for (Load load : List.of(manifests, blobs)) {
                String kind = load == manifests ? "manifest GET by tag" : "blob GET (" + filled.probeBlobSize() + " bytes)";
                Stats before = load.stats(beforeFrom, beforeTo);
                Stats during = load.stats(runFrom, runTo);
                Stats after = load.stats(afterFrom, afterTo);
                double ratio = during.p99 / before.p99;
                double ratioAfter = during.p99 / after.p99;
                latency.put(load == manifests ? "manifestGet" : "blobGet", Map.of(
                        "before", before.json(), "during", during.json(), "after", after.json(),
                        "p99Ratio", round(ratio), "p99RatioToAfter", round(ratioAfter), "targetMet", ratio <= 1.2));
                System.out.printf("  %-28s before: %s%n  %-28s during: %s%n  %-28s after:  %s%n  %-28s p99 during /"
                        + " before: %.2f (target <= 1.20: %s); during / after: %.2f%n", kind, before, "", during, "",
                        after, "", ratio, ratio <= 1.2 ? "met" : "MISSED", ratioAfter);
                if (load.errors.get() > 0) {
                    problems.add(load.errors.get() + " wrong answers to " + kind + ": " + load.firstError);
                }
            }
            figures.put("latency", latency);
            figures.put("loadAverage", Machine.loadAverage());
        }
        figures.put("problems", problems);
        Files.writeString(out.resolve("gc.json"), JSON.writerWithDefaultPrettyPrinter().writeValueAsString(figures));
        System.out.println("  figures in " + out.resolve("gc.json"));
        problems.forEach(p -> System.out.println("  PROBLEM: " + p));
        return problems.isEmpty() ? 0 : 1;
    }

    private static String phases(JsonNode report) {
        List<String> parts = new ArrayList<>();
        report.get("phases").forEach(p -> parts.add(p.get("name").asText() + " "
                + String.format(Locale.ROOT, "%.1f s", p.get("millis").asLong() / 1000.0)));
        return String.join(", ", parts);
    }

    private static double round(double value) {
        return Math.round(value * 100) / 100.0;
    }

    /** Waits until the server uses less than 5 % of a core over a second; the seconds waited. */
    /** Waits until the server spends less than 50 ms of CPU in a second (start-up work done); the seconds waited. */
    static double awaitQuiet(ServerProcess server, Duration limit) throws InterruptedException {
        long t0 = System.nanoTime();
        double cpu = server.cpuSeconds();
        while (System.nanoTime() - t0 < limit.toNanos()) {
            Thread.sleep(1000);
            double now = server.cpuSeconds();
            if (now - cpu < 0.05) {
                break;
            }
            cpu = now;
        }
        return (System.nanoTime() - t0) / 1e9;
    }

    private void check(int port, String path, String accept, String digest) throws IOException {
        try (PlainHttp client = new PlainHttp(port, 30_000)) {
            MessageDigest sha256 = Content.sha256();
            PlainHttp.Answer answer = client.get(path, accept, sha256);
            String got = "sha256:" + HexFormat.of().formatHex(sha256.digest());
            if (answer.status() != 200 || !got.equals(digest)) {
                throw new IOException("GET " + path + " answered " + answer.status() + " with digest " + got
                        + ", expected " + digest);
            }
        }
    }

    private long lastRunId(URI base) throws IOException, InterruptedException {
        JsonNode runs = JSON.readTree(get(base, "/api/v1/admin/gc")).get("runs");
        return runs.isEmpty() ? 0 : runs.get(0).get("id").asLong();
    }

    private static Map<String, String> serverEnvironment(Map<String, String> database) {
        Map<String, String> environment = new LinkedHashMap<>(database);
        environment.put("BERTH_GC_INTERVAL", "0s");
        environment.put("BERTH_GC_GRACE_PERIOD", GcStore.GRACE_MILLIS / 1000 + "s");
        return environment;
    }

    /** Waits until the run after {@code lastRun} has finished, as the POST's answer or the observer saw it; its report. */
    private JsonNode awaitRun(ServerObserver observer, long lastRun, CompletableFuture<HttpResponse<byte[]>> post)
            throws Exception {
        long deadline = System.nanoTime() + (long) (options.timeoutMinutes * 60e9);
        while (System.nanoTime() < deadline) {
            if (post.isDone()) {
                HttpResponse<byte[]> answer = post.get();
                if (answer.statusCode() == 200) {
                    return JSON.readTree(answer.body());
                }
                if (answer.statusCode() != 202) {
                    throw new IOException("POST /api/v1/admin/gc answered " + answer.statusCode() + ": "
                            + new String(answer.body(), StandardCharsets.UTF_8));
                }
            }
            JsonNode runs = observer.runs();
            if (runs != null && !runs.isEmpty() && runs.get(0).get("id").asLong() > lastRun
                    && !runs.get(0).get("status").asText().equals("running")) {
                return runs.get(0);
            }
            Thread.sleep(100);
        }
        throw new IOException("the collection did not finish within " + options.timeoutMinutes + " minutes");
    }

    private byte[] get(URI base, String path) throws IOException, InterruptedException {
        HttpResponse<byte[]> answer = http.send(HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(30))
                .build(), HttpResponse.BodyHandlers.ofByteArray());
        if (answer.statusCode() != 200) {
            throw new IOException("GET " + path + " answered " + answer.statusCode());
        }
        return answer.body();
    }

    /**
     * Once a second, from the start of the before window to the end of the after window: the server's heap in use
     * (Micrometer's {@code jvm_memory_used_bytes}, area heap; the peak while {@link #recordHeapPeak} is on) and the
     * collection runs ({@code GET /api/v1/admin/gc}). At the same pace in every window, so that the scrapes (a
     * {@code /metrics} page costs the server about a megabyte of allocations) weigh on before, during and after alike;
     * polling only during the run at 5 Hz had made "during" look worse by itself.
     */
    private final class ServerObserver {
        private final URI base;
        private final AtomicBoolean stop = new AtomicBoolean();
        private final AtomicLong peak = new AtomicLong();
        private final AtomicReference<JsonNode> runs = new AtomicReference<>();
        private volatile boolean recording;
        private Thread thread;

        ServerObserver(URI base) {
            this.base = base;
        }

        void start() {
            thread = new Thread(() -> {
                while (!stop.get()) {
                    try {
                        long used = 0;
                        for (String line : new String(get(base, "/metrics"), StandardCharsets.UTF_8).split("\n")) {
                            if (line.startsWith("jvm_memory_used_bytes{") && line.contains("area=\"heap\"")) {
                                used += (long) Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
                            }
                        }
                        if (recording) {
                            peak.accumulateAndGet(used, Math::max);
                        }
                        runs.set(JSON.readTree(get(base, "/api/v1/admin/gc")).get("runs"));
                        Thread.sleep(1000);
                    } catch (IOException | RuntimeException e) {
                        // a missed sample
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            }, "gc-bench-observer");
            thread.setDaemon(true);
            thread.start();
        }

        void recordHeapPeak(boolean on) {
            recording = on;
        }

        JsonNode runs() {
            return runs.get();
        }

        void stop() throws InterruptedException {
            stop.set(true);
            thread.interrupt();
            thread.join(5000);
        }

        long heapPeak() {
            return peak.get();
        }
    }

    /** p50, p99 and max of the requests due within a window, in milliseconds. */
    record Stats(long requests, double p50, double p99, double max) {
        Map<String, Object> json() {
            return Map.of("requests", requests, "p50Ms", round(p50), "p99Ms", round(p99), "maxMs", round(max));
        }

        @Override
        public String toString() {
            return String.format(Locale.ROOT, "%,7d requests, p50 %6.2f ms, p99 %7.2f ms, max %7.1f ms", requests, p50,
                    p99, max);
        }
    }

    /**
     * {@value #CLIENTS_PER_KIND} clients GETting one path over their own keep-alive connection at a fixed pace
     * together; each request is timed from when it was due (not when it was sent), so that a stall of the server is
     * counted for every request it held up. Every answer must be 200 with the body's full length.
     */
    private static final class Load {
        private final int port;
        private final String path;
        private final String accept;
        private final long periodNanos;
        private final AtomicBoolean stop = new AtomicBoolean();
        private final AtomicLong errors = new AtomicLong();
        private volatile String firstError = "";
        private final List<Thread> threads = new ArrayList<>();
        private final List<long[][]> records = new ArrayList<>();

        Load(int port, String path, String accept, int requestsPerSecond) {
            this.port = port;
            this.path = path;
            this.accept = accept;
            this.periodNanos = 1_000_000_000L * CLIENTS_PER_KIND / requestsPerSecond;
        }

        void start() {
            long originNanos = System.nanoTime();
            long originMillis = System.currentTimeMillis();
            for (int c = 0; c < CLIENTS_PER_KIND; c++) {
                long[][] record = {new long[1 << 16], new long[1 << 16], new long[1]}; // due (epoch ms), latency (ns), n
                records.add(record);
                long offset = periodNanos * c / CLIENTS_PER_KIND;
                Thread thread = new Thread(() -> {
                    try (PlainHttp client = new PlainHttp(port, 60_000)) {
                        long length = -1;
                        for (long i = 0; !stop.get(); i++) {
                            long due = originNanos + offset + i * periodNanos;
                            long wait = due - System.nanoTime();
                            if (wait > 0) {
                                Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
                            }
                            PlainHttp.Answer answer = client.get(path, accept, null);
                            long latency = System.nanoTime() - due;
                            if (answer.status() != 200 || length >= 0 && answer.length() != length) {
                                if (errors.incrementAndGet() == 1) {
                                    firstError = answer.status() + " " + answer.body();
                                }
                            }
                            length = answer.length();
                            add(record, originMillis + (due - originNanos) / 1_000_000, latency);
                        }
                    } catch (IOException | InterruptedException e) {
                        errors.incrementAndGet();
                        firstError = e.toString();
                    }
                }, "gc-bench-load");
                threads.add(thread);
                thread.start();
            }
        }

        private static void add(long[][] record, long dueMillis, long latency) {
            int n = (int) record[2][0];
            if (n == record[0].length) {
                record[0] = Arrays.copyOf(record[0], n * 2);
                record[1] = Arrays.copyOf(record[1], n * 2);
            }
            record[0][n] = dueMillis;
            record[1][n] = latency;
            record[2][0] = n + 1;
        }

        void stop() throws InterruptedException {
            stop.set(true);
            for (Thread thread : threads) {
                thread.join(60_000);
            }
        }

        Stats stats(long fromMillis, long toMillis) {
            List<Long> latencies = new ArrayList<>();
            for (long[][] record : records) {
                for (int i = 0; i < record[2][0]; i++) {
                    if (record[0][i] >= fromMillis && record[0][i] < toMillis) {
                        latencies.add(record[1][i]);
                    }
                }
            }
            if (latencies.isEmpty()) {
                return new Stats(0, Double.NaN, Double.NaN, Double.NaN);
            }
            long[] sorted = latencies.stream().mapToLong(Long::longValue).sorted().toArray();
            return new Stats(sorted.length, sorted[(int) (sorted.length * 0.50)] / 1e6,
                    sorted[Math.min(sorted.length - 1, (int) Math.ceil(sorted.length * 0.99) - 1)] / 1e6,
                    sorted[sorted.length - 1] / 1e6);
        }
    }
}
