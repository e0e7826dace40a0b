package io.berth.bench;

import java.io.IOException;
import java.io.PrintStream;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * {@code bench/run --compare CMD_A CMD_B}: two builds of Berth side by side on manifest GET, blob HEAD, and one
 * client's 64 MiB uploads (monolithic and chunked) and downloads, to tell whether a change costs throughput. One round
 * of the full harness per build cannot: on this shared 2-core machine the same binary moves by up to 2× from one minute to the next. Here both servers run at once, and short runs
 * alternate A B B A … so that the machine's drift falls on both equally; each pair gives the ratio B/A of the server's
 * CPU time per request and of the time per request (1 / req/s), and the figure is the median ratio with its 95 %
 * confidence interval (sign test: order statistics k and n + 1 − k of the sorted ratios). "B costs at most 3 % more"
 * is shown when the interval's upper end is at most 1.03.
 */
final class BuildComparison {
    private static final Duration START_LIMIT = Duration.ofSeconds(180);
    private static final int BIG = 64 << 20;
    private static final int CHUNK = 8 << 20;
    private static final int UPLOADS = 2;
    /** Downloads of the same blob: more of them, since one takes a few tens of milliseconds. */
    private static final int DOWNLOADS = 16;

    enum Kind {
        MANIFEST_GET("manifest GET by tag, 64 connections (wrk)", "request", "req/s"),
        BLOB_HEAD("blob HEAD, 64 connections (ab)", "request", "req/s"),
        UPLOAD_MONOLITHIC("upload 64 MiB, 1 client, POST + PUT", "MiB", "MiB/s"),
        UPLOAD_CHUNKED("upload 64 MiB, 1 client, 8 MiB PATCHes", "MiB", "MiB/s"),
        DOWNLOAD("download 64 MiB, 1 client", "MiB", "MiB/s");

        final String label;
        final String unit;
        final String rate;

        Kind(String label, String unit, String rate) {
            this.label = label;
            this.unit = unit;
            this.rate = rate;
        }
    }

    /** One measured run: units done (requests, or MiB moved), units per second, and the server CPU it took. */
    record Sample(double units, double unitsPerSecond, double cpuSeconds) {
        double cpuMicrosPerUnit() {
            return cpuSeconds * 1e6 / units;
        }
    }

    /** The median of ratios and its 95 % confidence interval. */
    record Interval(double median, double low, double high) {
        static Interval ofRatios(List<Double> ratios) {
            List<Double> v = ratios.stream().sorted().toList();
            int n = v.size();
            int k = signTestRank(n);
            double median = n % 2 == 1 ? v.get(n / 2) : (v.get(n / 2 - 1) + v.get(n / 2)) / 2;
            return new Interval(median, v.get(k - 1), v.get(n - k));
        }

        /** The largest k with P(Binomial(n, ½) < k) ≤ 2.5 %: [x(k), x(n+1−k)] covers the median with ≥ 95 %. */
        static int signTestRank(int n) {
            double tail = 0;
            double p = Math.pow(0.5, n);
            int k = 0;
            for (int i = 0; i <= n / 2; i++) {
                tail += p;
                if (tail > 0.025) {
                    break;
                }
                k = i + 1;
                p = p * (n - i) / (i + 1);
            }
            return Math.max(1, k);
        }
    }

    private final List<String> commandA;
    private final List<String> commandB;
    private final int pairs;
    private final double seconds;
    private final Path out;
    private final PrintStream print;
    /** The big blobs' shared body; each upload appends a tail of its own, so that every upload stores a new blob. */
    private final byte[] body = Content.random(BIG - Content.TAIL, 64);
    private final MessageDigest afterBody = Content.sha256();
    private final AtomicInteger uploads = new AtomicInteger();

    BuildComparison(List<String> commandA, List<String> commandB, int pairs, double seconds, Path out, PrintStream print) {
        this.commandA = commandA;
        this.commandB = commandB;
        this.pairs = pairs;
        this.seconds = seconds;
        this.out = out;
        this.print = print;
        afterBody.update(body);
    }

    /** Runs the comparison; 0 when every answer was the expected one, 1 otherwise. */
    int run() throws Exception {
        Path scratch = Files.createTempDirectory("berth-compare-");
        Files.createDirectories(out.resolve("logs"));
        LoadTools tools = new LoadTools(scratch, out.resolve("logs"));
        Tally tally = new Tally();
        try (ServerProcess a = ServerProcess.startBerth("A", commandA, scratch.resolve("a"), out.resolve("logs/a.log").toFile());
                ServerProcess b = ServerProcess.startBerth("B", commandB, scratch.resolve("b"), out.resolve("logs/b.log").toFile())) {
            // Minutes, not seconds: a command may start a whole cluster (bin/berth-cluster run: PostgreSQL's initdb,
            // three JVMs and nginx), and both start at once on a machine of two cores.
            a.awaitReady(START_LIMIT);
            b.awaitReady(START_LIMIT);
            String blobDigest = pushImage(a, tally);
            pushImage(b, tally);
            Content.Blob download = bigBlob();
            for (ServerProcess server : List.of(a, b)) {
                if (!new Registry(server.base, tally, Duration.ofMinutes(2)).pushMonolithic(Registry.client(),
                        "compare/big", download)) {
                    throw new IOException(server.name + ": pushing the blob to download failed: " + tally.all());
                }
            }
            StringBuilder report = new StringBuilder(String.format(Locale.ROOT,
                    "# Build comparison%n%n- A: `%s`%n- B: `%s`%n- %d pairs of %.0f s runs (" + UPLOADS + " uploads, "
                            + DOWNLOADS + " downloads) per figure, order A B B A …%n%n"
                            + "| figure | A median | B median | B/A median of pairs | 95 %% interval | B costs ≤ 3 %% more |%n"
                            + "|---|---|---|---|---|---|%n", String.join(" ", commandA), String.join(" ", commandB), pairs, seconds));
            for (Kind kind : Kind.values()) {
                Map<String, List<Sample>> samples = measure(kind, a, b, blobDigest, download, tools, tally);
                report.append(rows(kind, samples.get("A"), samples.get("B")));
            }
            report.append(tally.all().isEmpty() ? "\nUnexpected answers: none\n" : "\nUnexpected answers: " + tally.all() + "\n");
            print.println();
            print.print(report);
            Files.writeString(out.resolve("report.md"), report, StandardCharsets.UTF_8);
            print.println("\nReport: " + out.resolve("report.md"));
        } finally {
            Children.killAll();
            Bench.deleteTree(scratch);
        }
        return tally.all().isEmpty() ? 0 : 1;
    }

    private Map<String, List<Sample>> measure(Kind kind, ServerProcess a, ServerProcess b, String blobDigest,
            Content.Blob download, LoadTools tools, Tally tally) throws Exception {
        Map<String, List<Sample>> samples = new TreeMap<>(Map.of("A", new ArrayList<>(), "B", new ArrayList<>()));
        once(kind, a, blobDigest, download, tools, tally, "warm-up");
        once(kind, b, blobDigest, download, tools, tally, "warm-up");
        for (int i = 0; i < pairs; i++) {
            ServerProcess first = i % 2 == 0 ? a : b;
            ServerProcess second = first == a ? b : a;
            samples.get(first.name).add(once(kind, first, blobDigest, download, tools, tally, "pair " + (i + 1)));
            samples.get(second.name).add(once(kind, second, blobDigest, download, tools, tally, "pair " + (i + 1)));
            print.printf(Locale.ROOT, "\r  %-45s pair %d/%d", kind.label, i + 1, pairs);
        }
        print.println();
        return samples;
    }

    private Sample once(Kind kind, ServerProcess server, String blobDigest, Content.Blob download, LoadTools tools,
                        Tally tally, String what) throws Exception {
        String label = server.name + "-" + kind.name().toLowerCase(Locale.ROOT) + "-" + what.replace(' ', '-');
        double cpu0 = server.cpuSeconds();
        LoadTools.Load load = switch (kind) {
            case MANIFEST_GET -> tools.wrk(label, server.base + "/v2/compare/app/manifests/v1", 64, seconds,
                    "wrk.headers[\"Accept\"] = \"" + Content.OCI_MANIFEST + "\"\n");
            case BLOB_HEAD -> tools.abHead(label, server.base + "/v2/compare/app/blobs/" + blobDigest, 64, seconds, List.of());
            case UPLOAD_MONOLITHIC, UPLOAD_CHUNKED, DOWNLOAD -> null;
        };
        if (load == null) {
            return big(kind, server, download, tally, cpu0);
        }
        double cpu = server.cpuSeconds() - cpu0;
        tally.add(kind.name(), server.name + ": " + load.tool() + " non-2xx answers", load.non2xx());
        tally.add(kind.name(), server.name + ": " + load.tool() + " errors", load.errors());
        if (load.requests() == 0) {
            tally.add(kind.name(), server.name + ": no request completed", 1);
            return new Sample(1, 0, cpu);
        }
        return new Sample(load.requests(), load.requestsPerSecond(), cpu);
    }

    private String rows(Kind kind, List<Sample> a, List<Sample> b) {
        List<Double> cpuRatios = new ArrayList<>();
        List<Double> timeRatios = new ArrayList<>();
        for (int i = 0; i < a.size(); i++) {
            cpuRatios.add(b.get(i).cpuMicrosPerUnit() / a.get(i).cpuMicrosPerUnit());
            timeRatios.add(a.get(i).unitsPerSecond() / b.get(i).unitsPerSecond());
        }
        return row(kind.label + ": server CPU per " + kind.unit + " (µs)", median(a, Sample::cpuMicrosPerUnit),
                median(b, Sample::cpuMicrosPerUnit), Interval.ofRatios(cpuRatios))
                + row(kind.label + ": time per " + kind.unit + " (1 / " + kind.rate + "; medians in " + kind.rate + ")",
                        median(a, Sample::unitsPerSecond), median(b, Sample::unitsPerSecond), Interval.ofRatios(timeRatios));
    }

    private static String row(String figure, double medianA, double medianB, Interval ratio) {
        return String.format(Locale.ROOT, "| %s | %,.1f | %,.1f | %.3f | %.3f – %.3f | %s |%n", figure, medianA, medianB,
                ratio.median(), ratio.low(), ratio.high(), ratio.high() <= 1.03 ? "yes" : "not shown");
    }

    private static double median(List<Sample> samples, java.util.function.ToDoubleFunction<Sample> f) {
        double[] v = samples.stream().mapToDouble(f).sorted().toArray();
        return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
    }

    /**
     * The big kinds: one client uploads {@value #UPLOADS} new 64 MiB blobs or downloads {@code download}
     * {@value #DOWNLOADS} times over one keep-alive connection; MiB moved and MiB/s. A count, not the run's seconds:
     * every upload stays on disk until the end (30 pairs: about 8 GiB per upload kind and build).
     */
    private Sample big(Kind kind, ServerProcess server, Content.Blob download, Tally tally, double cpu0) throws Exception {
        Registry registry = new Registry(server.base, tally, Duration.ofMinutes(2));
        HttpClient client = Registry.client();
        long t0 = System.nanoTime();
        long bytes = 0;
        try (PlainHttp http = new PlainHttp(server.port, 120_000)) {
            for (int i = 0, n = kind == Kind.DOWNLOAD ? DOWNLOADS : UPLOADS; i < n; i++) {
                Content.Blob upload = kind == Kind.DOWNLOAD ? null : bigBlob();
                boolean done = switch (kind) {
                    case DOWNLOAD -> registry.fetch(http, "/v2/compare/big/blobs/" + download.digest(), null, null,
                            download.size(), "GET big blob");
                    case UPLOAD_CHUNKED -> registry.pushChunked(client, "compare/big", upload, CHUNK);
                    default -> registry.pushMonolithic(client, "compare/big", upload);
                };
                if (!done) {
                    tally.add(kind.name(), server.name + ": a transfer failed", 1);
                }
                bytes += BIG;
            }
        }
        double elapsed = (System.nanoTime() - t0) / 1e9;
        double mib = bytes / (1024.0 * 1024.0);
        return new Sample(mib, mib / elapsed, server.cpuSeconds() - cpu0);
    }

    /** A new 64 MiB blob: the shared body and a tail of its own (the body's hash is taken once). */
    private Content.Blob bigBlob() throws CloneNotSupportedException {
        byte[] tail = String.format(Locale.ROOT, "%-16s", "cmp-" + uploads.incrementAndGet())
                .getBytes(StandardCharsets.US_ASCII);
        MessageDigest digest = (MessageDigest) afterBody.clone();
        digest.update(tail);
        return new Content.Blob(body, body.length, tail, Content.hex(digest.digest()));
    }

    /** A config blob and an OCI manifest tagged {@code v1} in {@code compare/app}; returns the blob's digest. */
    private static String pushImage(ServerProcess server, Tally tally) throws IOException {
        Registry registry = new Registry(server.base, tally, Duration.ofSeconds(30));
        HttpClient client = Registry.client();
        byte[] config = "{\"architecture\":\"amd64\",\"os\":\"linux\"}".getBytes(StandardCharsets.UTF_8);
        Content.Blob blob = Content.blob(config);
        String manifest = "{\"schemaVersion\":2,\"mediaType\":\"" + Content.OCI_MANIFEST + "\",\"config\":{\"mediaType\":"
                + "\"application/vnd.oci.image.config.v1+json\",\"digest\":\"" + blob.digest() + "\",\"size\":" + config.length
                + "},\"layers\":[]}";
        if (!registry.pushMonolithic(client, "compare/app", blob)
                || !registry.putManifest(client, "compare/app", "v1", manifest.getBytes(StandardCharsets.UTF_8))) {
            throw new IOException(server.name + ": pushing the image to compare failed: " + tally.all());
        }
        return blob.digest();
    }
}
