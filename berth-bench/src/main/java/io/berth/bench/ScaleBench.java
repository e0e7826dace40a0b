package io.berth.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.berth.server.meta.DatabaseConfig;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The data-at-scale benchmark ({@code --only scale}, Berth only): a registry of a million tags made by
 * {@link ScaleStore} from a seed, Berth started on it, then p50/p99 and req/s of 8 connections for a page of each
 * listing a user meets (tags, catalog, referrers, the listing API, the web UI's first page), and manifest GET by tag
 * and blob HEAD throughput beside the same figures on a small store made the same way ("empty"); start-up time to
 * the first 200 on {@code /v2/} on both. Targets (issue #20): every page p99 at most 50 ms, GET and HEAD within 10 %
 * of the small store's, start-up at most 1.5 s.
 */
final class ScaleBench {
    static final String PHASE = "scale";
    private static final ObjectMapper JSON = new ObjectMapper();
    static final double PAGE_P99_TARGET_MS = 50;
    static final double STARTUP_TARGET_MS = 1500;
    private static final int CONNECTIONS = 8;
    private static final ScaleStore.Size EMPTY = ScaleStore.Size.of(1_000);

    private final Options options;
    private final Path out;
    private final Map<String, Object> figures = new LinkedHashMap<>();
    private final List<String> missed = new ArrayList<>();

    ScaleBench(Options options, Path out) {
        this.options = options;
        this.out = out;
    }

    /** One store's figures, for the curves ({@link Curves}): pages is empty for the small store of a single size. */
    record Point(int tags, double startupMillis, double manifestGetPerSecond, double blobHeadPerSecond,
                 Map<String, Double> pageP99Ms) {
    }

    private final List<Point> points = new ArrayList<>();

    /** Every store measured with its pages, smallest first. */
    List<Point> points() {
        return points;
    }

    /**
     * 0 when every answer was right (targets missed are reported, not failures), 1 otherwise. One size: the small store
     * ("empty") and the big one ("scale"), GET and HEAD rates compared. Several sizes (a curve): each with every page,
     * the rates compared with the smallest's.
     */
    int run() throws Exception {
        List<ScaleStore.Size> sizes = options.scaleSizes().stream().map(ScaleStore.Size::of).toList();
        Path data = Files.createTempDirectory(options.tmp, "berth-bench-scale-");
        LoadTools tools = new LoadTools(data, Files.createDirectories(out.resolve("logs").resolve("scale")));
        figures.put("database", options.scalePostgres ? "postgresql" : "sqlite");
        figures.put("seed", options.scaleSeed);
        figures.put("loadAverageBefore", Machine.loadAverage());
        try {
            if (sizes.size() == 1) {
                Point empty = measure("empty", tools, data, EMPTY, false);
                compare("the small one", empty, measure("scale", tools, data, sizes.get(0), true));
            } else {
                Point first = null;
                for (ScaleStore.Size size : sizes) {
                    Point point = measure(Curves.count(size.tags()), tools, data, size, true);
                    if (first == null) {
                        first = point;
                    } else {
                        compare(Curves.count(first.tags()) + " tags", first, point);
                    }
                }
            }
        } finally {
            if (!options.keepData) {
                Bench.deleteTree(data);
            }
        }
        figures.put("loadAverageAfter", Machine.loadAverage());
        figures.put("targetsMissed", missed);
        Files.writeString(out.resolve("scale.json"), JSON.writerWithDefaultPrettyPrinter().writeValueAsString(figures));
        System.out.println("  figures in " + out.resolve("scale.json"));
        if (!missed.isEmpty()) {
            System.out.println("  targets missed: " + String.join("; ", missed));
        }
        return figures.containsKey("wrongAnswers") ? 1 : 0;
    }

    /** Where one store's files and metadata go: a data directory, and SQLite in it or a scratch PostgreSQL schema. */
    private record Stores(Path data, DatabaseConfig database, Map<String, String> environment, ScratchPostgres postgres)
            implements AutoCloseable {
        @Override
        public void close() throws Exception {
            if (postgres != null) {
                postgres.close();
            }
        }
    }

    private Stores stores(Path data) throws Exception {
        if (!options.scalePostgres) {
            return new Stores(data, DatabaseConfig.sqlite(data.resolve("store")), Map.of(), null);
        }
        ScratchPostgres postgres = ScratchPostgres.create("--scale-postgres", options.keepData);
        return new Stores(data, postgres.config(), postgres.serverEnvironment(), postgres);
    }

    private Point measure(String name, LoadTools tools, Path data, ScaleStore.Size size, boolean pages)
            throws Exception {
        try (Stores stores = stores(data.resolve(name))) {
            return measure(name, tools, stores, size, pages);
        }
    }

    private Point measure(String name, LoadTools tools, Stores stores, ScaleStore.Size size, boolean pages)
            throws Exception {
        System.out.printf("%n== scale: filling the %s store (%,d tags in %,d repositories, seed %d, %s) ==%n", name,
                size.tags(), size.repositories(), options.scaleSeed, stores.database().isSqlite() ? "SQLite" : "PostgreSQL");
        ScaleStore.Filled filled = ScaleStore.fill(stores.data().resolve("store"), stores.database(), size, options.scaleSeed);
        System.out.printf("  %,d repositories, %,d tags, %,d manifests (%,d referrers), %,d blobs; filled in %.0f s%n"
                        + "  manifests by type: %s%n", filled.repositories(), filled.tags(), filled.manifests(),
                filled.referrers(), filled.blobs(), filled.seconds(), filled.manifestsByType());
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("store", Map.of("repositories", filled.repositories(), "tags", filled.tags(), "manifests",
                filled.manifests(), "referrers", filled.referrers(), "blobs", filled.blobs(), "manifestsByType",
                filled.manifestsByType(), "fillSeconds", round(filled.seconds())));
        figures.put(name, result);
        Children.run(List.of("sync"), stores.data().resolve("sync.log").toFile(), 300);

        Map<String, String> environment = new LinkedHashMap<>(stores.environment());
        environment.put("BERTH_GC_INTERVAL", "0s");
        try (ServerProcess server = ServerProcess.startBerth("Berth", options.berthCommand, stores.data(),
                out.resolve("logs").resolve("berth-scale-" + name + ".log").toFile(), environment)) {
            double startMs = server.awaitReady(Duration.ofSeconds(120));
            double quietS = GcBench.awaitQuiet(server, Duration.ofMinutes(5));
            result.put("startupMillis", round(startMs));
            result.put("secondsUntilIdle", round(quietS));
            System.out.printf("  Berth up in %.0f ms (first 200 on /v2/), idle %.1f s later%n", startMs, quietS);
            target(startMs <= STARTUP_TARGET_MS, name + ": start-up " + Math.round(startMs) + " ms > 1500 ms");
            String base = server.base.toString().replaceAll("/$", "");
            Map<String, Object> loads = new LinkedHashMap<>();
            result.put("loads", loads);
            String[] probe = filled.probeTag().split(":");
            String lua = "wrk.headers[\"Accept\"] = \"application/vnd.oci.image.manifest.v1+json,"
                    + "application/vnd.oci.image.index.v1+json,application/vnd.docker.distribution.manifest.v2+json\"\n";
            LoadTools.Load get = load(server, tools, name + "-manifest-get", base, "/v2/" + probe[0] + "/manifests/" + probe[1], lua);
            loads.put("manifest-get", json(get));
            LoadTools.Load head = tools.abHead(name + "-blob-head-warmup", base + "/v2/" + probe[0] + "/blobs/"
                    + filled.probeBlob(), CONNECTIONS, 1, List.of());
            double cpu0 = server.cpuSeconds();
            head = tools.abHead(name + "-blob-head", base + "/v2/" + probe[0] + "/blobs/" + filled.probeBlob(),
                    CONNECTIONS, options.loadSeconds, List.of());
            head = head.withServerCpu(server.cpuSeconds() - cpu0);
            loads.put("blob-head", json(head));
            check(name + " blob HEAD", head);
            print("blob HEAD", head);
            Map<String, Double> pageP99 = new LinkedHashMap<>();
            if (pages) {
                String big = ScaleStore.BIG;
                String subject = "/v2/" + ScaleStore.SIGNED + "/referrers/" + filled.subject();
                Map<String, String> paths = new LinkedHashMap<>();
                paths.put("tags-first", "/v2/" + big + "/tags/list?n=100");
                paths.put("tags-middle", "/v2/" + big + "/tags/list?n=100&last=" + encode(filled.bigMiddleTag()));
                paths.put("catalog-first", "/v2/_catalog?n=100");
                paths.put("catalog-middle", "/v2/_catalog?n=100&last=" + encode(filled.catalogMiddle()));
                paths.put("referrers", subject);
                paths.put("referrers-filtered", subject + "?artifactType=" + encode(ScaleStore.SBOM_TYPE));
                paths.put("api-repositories-first", "/api/v1/repositories?n=100");
                paths.put("api-artifacts-big", "/api/v1/artifacts?repository=" + encode(big) + "&n=100");
                paths.put("api-artifacts-by-type", "/api/v1/artifacts?type=helm-chart&n=100");
                paths.put("api-repositories-by-type", "/api/v1/repositories?type=wasm-component&n=100");
                paths.put("ui-first-page", "/");
                for (Map.Entry<String, String> page : paths.entrySet()) {
                    LoadTools.Load l = load(server, tools, name + "-" + page.getKey(), base, page.getValue(), null);
                    Map<String, Object> figure = json(l);
                    figure.put("path", page.getValue());
                    figure.put("targetMet", l.p99Ms() <= PAGE_P99_TARGET_MS);
                    loads.put(page.getKey(), figure);
                    pageP99.put(page.getKey(), l.p99Ms());
                    target(l.p99Ms() <= PAGE_P99_TARGET_MS, page.getKey() + " p99 " + round(l.p99Ms()) + " ms > 50 ms");
                }
            }
            result.put("rssMiB", round(server.rssMiB()));
            Point point = new Point(size.tags(), startMs, get.requestsPerSecond(), head.requestsPerSecond(), pageP99);
            if (pages) {
                points.add(point);
            }
            return point;
        }
    }

    /** wrk at {@link #CONNECTIONS} connections for the load seconds, after an unmeasured second; each answer checked. */
    private LoadTools.Load load(ServerProcess server, LoadTools tools, String label, String base, String path, String lua)
            throws Exception {
        tools.wrk(label + "-warmup", base + path, CONNECTIONS, 1, lua);
        double cpu0 = server.cpuSeconds();
        LoadTools.Load l = tools.wrk(label, base + path, CONNECTIONS, options.loadSeconds, lua);
        l = l.withServerCpu(server.cpuSeconds() - cpu0);
        check(label, l);
        print(label, l);
        return l;
    }

    private void check(String label, LoadTools.Load l) {
        if (l.non2xx() > 0 || l.errors() > 0 || l.requests() == 0) {
            @SuppressWarnings("unchecked")
            List<String> wrong = (List<String>) figures.computeIfAbsent("wrongAnswers", k -> new ArrayList<String>());
            wrong.add(label + ": " + l.non2xx() + " non-2xx, " + l.errors() + " errors, " + l.requests() + " requests");
        }
    }

    private static void print(String label, LoadTools.Load l) {
        System.out.printf("  %-34s %8.0f req/s   p50 %7.2f ms   p99 %7.2f ms   server CPU %6.0f µs/req%s%n", label,
                l.requestsPerSecond(), l.p50Ms(), l.p99Ms(), l.serverCpuMicrosPerRequest(), l.non2xx() + l.errors() > 0 ? "   (" + l.non2xx() + " non-2xx, " + l.errors()
                        + " errors)" : "");
    }

    /** GET and HEAD on a bigger store against a smaller one's: within 10 %. */
    private void compare(String smaller, Point base, Point point) {
        compare("manifest-get", smaller, base.manifestGetPerSecond(), point.manifestGetPerSecond(), point.tags());
        compare("blob-head", smaller, base.blobHeadPerSecond(), point.blobHeadPerSecond(), point.tags());
    }

    @SuppressWarnings("unchecked")
    private void compare(String kind, String smaller, double baseRate, double rate, int tags) {
        Map<String, Object> ratios = (Map<String, Object>) figures.computeIfAbsent("throughputRatioToSmall",
                k -> new LinkedHashMap<String, Object>());
        double ratio = rate / baseRate;
        String size = Curves.count(tags);
        ratios.put(options.scaleSizes().size() > 1 ? kind + "-" + size : kind, round(ratio));
        System.out.printf("  %s: %.0f req/s at %s tags, %.0f on %s: %.2f× (target >= 0.90)%n", kind, rate, size, baseRate,
                smaller, ratio);
        target(ratio >= 0.9, kind + " at " + size + " tags " + round(ratio) + "× of " + smaller + "'s rate");
    }

    private void target(boolean met, String otherwise) {
        if (!met) {
            missed.add(otherwise);
        }
    }

    private static Map<String, Object> json(LoadTools.Load l) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("requestsPerSecond", round(l.requestsPerSecond()));
        m.put("p50Ms", round(l.p50Ms()));
        m.put("p99Ms", round(l.p99Ms()));
        m.put("requests", l.requests());
        m.put("serverCpuMicrosPerRequest", Math.round(l.serverCpuMicrosPerRequest()));
        return m;
    }

    private static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }

    private static double round(double value) {
        return Math.round(value * 100) / 100.0;
    }
}
