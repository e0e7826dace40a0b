package io.berth.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.File;
import java.io.InputStream;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * 50-image pulls over TLS with HTTP/1.1 and with HTTP/2 ({@code --only tls-pull}), Distribution and Berth side by side:
 * both serve HTTPS from the same self-signed certificate (openssl) and offer h2 through ALPN. Per round and server,
 * on a fresh data directory: the images pushed over HTTP/1.1 (unmeasured), one unmeasured pull with each protocol,
 * then {@value #PULLS} measured pulls of each, alternating. A pull is the mixed workload's: 50 concurrent clients,
 * each GETting one image's manifest, config and layers, every body checked against its digest; the clients share one
 * {@code java.net.http} client per protocol, so HTTP/1.1 opens a connection per client and HTTP/2 multiplexes them all
 * over one (as containerd does). Every answer's protocol is checked to be the one asked for. Figures: wall seconds
 * (median and range) and server CPU-seconds per pull; written to {@code tls-pull.json}.
 */
final class TlsPullBench {
    static final String PHASE = "tls-pull";
    private static final int PULLS = 3;
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private final Options options;
    private final Path out;
    private final Tally tally = new Tally();
    private final Map<String, Object> figures = new LinkedHashMap<>();

    TlsPullBench(Options options, Path out) {
        this.options = options;
        this.out = out;
    }

    /** 0 when every answer was right, 1 otherwise. */
    int run() throws Exception {
        Sizes sizes = options.quick ? Sizes.quick() : Sizes.full();
        List<Content.Image> images = Content.images(sizes);
        Path dir = Files.createTempDirectory(options.tmp, "berth-bench-tls-");
        try {
            ServerProcess.Tls tls = certificate(dir);
            SSLContext trust = trusting(tls.certificate());
            System.out.printf("%n== %s: %d images (config + 3 × %s), %d concurrent clients, HTTP/1.1 and HTTP/2 over TLS ==%n",
                    PHASE, images.size(), Sizes.bytes(sizes.imageLayer()), images.size());
            for (int round = 1; round <= options.rounds; round++) {
                for (String server : options.servers) {
                    measure(server, round, images, tls, trust, dir);
                }
            }
            printTable();
            Files.writeString(out.resolve(PHASE + ".json"), JSON.writeValueAsString(Map.of("figures", figures,
                    "failures", tally.all())));
        } finally {
            Bench.deleteTree(dir);
        }
        tally.all().forEach((what, n) -> System.out.printf("  UNEXPECTED %s × %d%n", what, n));
        return tally.all().isEmpty() ? 0 : 1;
    }

    private void measure(String server, int round, List<Content.Image> images, ServerProcess.Tls tls, SSLContext trust,
                         Path dir) throws Exception {
        Path data = Files.createTempDirectory(dir, server + "-r" + round + "-");
        File log = out.resolve("logs").resolve(PHASE + "-" + server + "-r" + round + ".log").toFile();
        try (ServerProcess process = ServerProcess.start(server, options, data, log, tls)) {
            process.awaitReady(Duration.ofSeconds(120));
            Registry registry = new Registry(process.base, tally, Duration.ofSeconds(60));
            registry.phase = PHASE;
            Map<HttpClient.Version, HttpClient> clients = new LinkedHashMap<>();
            for (HttpClient.Version version : HttpClient.Version.values()) {
                clients.put(version, HttpClient.newBuilder().version(version).sslContext(trust)
                        .connectTimeout(Duration.ofSeconds(10)).build());
            }
            HttpClient h1 = clients.get(HttpClient.Version.HTTP_1_1);
            inParallel(images.size(), i -> push(registry, h1, images.get(i), i));
            Map<HttpClient.Version, List<double[]>> runs = new LinkedHashMap<>();
            for (int pull = 0; pull <= PULLS; pull++) { // pull 0 warms up
                List<HttpClient.Version> order = new ArrayList<>(clients.keySet());
                if ((pull + round) % 2 == 0) {
                    java.util.Collections.reverse(order);
                }
                for (HttpClient.Version version : order) {
                    double cpu0 = process.cpuSeconds();
                    long t0 = System.nanoTime();
                    inParallel(images.size(), i -> pull(registry, clients.get(version), version, images.get(i), i));
                    double seconds = (System.nanoTime() - t0) / 1e9;
                    if (pull > 0) {
                        runs.computeIfAbsent(version, v -> new ArrayList<>())
                                .add(new double[] {seconds, process.cpuSeconds() - cpu0});
                    }
                }
            }
            String name = process.name;
            runs.forEach((version, list) -> figures.put(name + " " + label(version) + " r" + round, summary(list)));
        }
    }

    private static boolean push(Registry registry, HttpClient client, Content.Image image, int i) {
        String repo = String.format("tls/img-%02d", i);
        boolean ok = registry.pushMonolithic(client, repo, image.config());
        for (Content.Blob layer : image.layers()) {
            ok = ok && registry.pushMonolithic(client, repo, layer);
        }
        return ok && registry.putManifest(client, repo, "v1", image.manifest());
    }

    private boolean pull(Registry registry, HttpClient client, HttpClient.Version version, Content.Image image, int i) {
        String repo = String.format("tls/img-%02d", i);
        boolean ok = got(registry.send(client, registry.request("/v2/" + repo + "/manifests/v1")
                .header("Accept", Content.OCI_MANIFEST).build(), HttpResponse.BodyHandlers.ofInputStream(), "GET manifest",
                200), image.manifestDigest(), version);
        for (Content.Blob blob : Stream.concat(Stream.of(image.config()), image.layers().stream()).toList()) {
            ok = ok && got(registry.send(client, registry.request("/v2/" + repo + "/blobs/" + blob.digest()).build(),
                    HttpResponse.BodyHandlers.ofInputStream(), "GET blob", 200), blob.digest(), version);
        }
        return ok;
    }

    /** Reads the body through SHA-256; true when it has the digest and came over {@code version}. */
    private boolean got(HttpResponse<InputStream> response, String digest, HttpClient.Version version) {
        if (response == null) {
            return false;
        }
        java.security.MessageDigest sha = Content.sha256();
        try (InputStream in = response.body()) {
            byte[] buffer = new byte[64 * 1024];
            for (int n; (n = in.read(buffer)) > 0; ) {
                sha.update(buffer, 0, n);
            }
        } catch (java.io.IOException e) {
            tally.add(PHASE, "body read → " + e, 1);
            return false;
        }
        if (!digest.equals(Content.hex(sha.digest()))) {
            tally.add(PHASE, "GET → wrong digest", 1);
            return false;
        }
        if (response.version() != version) {
            tally.add(PHASE, "answered over " + response.version() + " instead of " + version, 1);
            return false;
        }
        return true;
    }

    private interface Task {
        boolean run(int i) throws Exception;
    }

    /** Runs {@code tasks} tasks at once, one thread each; counts the failed ones. */
    private void inParallel(int tasks, Task task) throws Exception {
        ExecutorService threads = Executors.newFixedThreadPool(tasks);
        try {
            List<Future<Boolean>> results = new ArrayList<>();
            for (int i = 0; i < tasks; i++) {
                int n = i;
                results.add(threads.submit(() -> task.run(n)));
            }
            for (Future<Boolean> result : results) {
                if (!result.get()) {
                    tally.add(PHASE, "an image's push or pull failed", 1);
                }
            }
        } finally {
            threads.shutdownNow();
        }
    }

    private static String label(HttpClient.Version version) {
        return version == HttpClient.Version.HTTP_2 ? "h2" : "http/1.1";
    }

    /** Median, min and max of the wall seconds, and the median CPU-seconds, of one server's pulls with one protocol. */
    private static Map<String, Object> summary(List<double[]> runs) {
        double[] wall = runs.stream().mapToDouble(r -> r[0]).sorted().toArray();
        double[] cpu = runs.stream().mapToDouble(r -> r[1]).sorted().toArray();
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("pullSecondsMedian", wall[wall.length / 2]);
        s.put("pullSecondsMin", wall[0]);
        s.put("pullSecondsMax", wall[wall.length - 1]);
        s.put("serverCpuSecondsMedian", cpu[cpu.length / 2]);
        return s;
    }

    @SuppressWarnings("unchecked")
    private void printTable() {
        System.out.printf("%n  %-28s %12s %18s %12s%n", "server, protocol, round", "pull median", "pull min–max", "server CPU");
        figures.forEach((name, value) -> {
            Map<String, Object> s = (Map<String, Object>) value;
            System.out.printf("  %-28s %10.3f s %8.3f–%.3f s %10.2f s%n", name, s.get("pullSecondsMedian"),
                    s.get("pullSecondsMin"), s.get("pullSecondsMax"), s.get("serverCpuSecondsMedian"));
        });
    }

    /** A self-signed EC certificate for 127.0.0.1 (openssl), which both servers serve. */
    private static ServerProcess.Tls certificate(Path dir) throws Exception {
        Path certificate = dir.resolve("tls.crt");
        Path key = dir.resolve("tls.key");
        File log = dir.resolve("openssl.log").toFile();
        int exit = Children.run(List.of("openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
                "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", key.toString(), "-out", certificate.toString(),
                "-days", "2", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"), log, 30);
        if (exit != 0) {
            throw new java.io.IOException("openssl req failed: " + Files.readString(log.toPath()));
        }
        return new ServerProcess.Tls(certificate, key);
    }

    private static SSLContext trusting(Path certificate) throws Exception {
        KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
        trust.load(null, null);
        try (InputStream in = Files.newInputStream(certificate)) {
            trust.setCertificateEntry("bench", CertificateFactory.getInstance("X.509").generateCertificate(in));
        }
        TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        factory.init(trust);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, factory.getTrustManagers(), null);
        return context;
    }
}
