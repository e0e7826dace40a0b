package io.berth.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.berth.client.ClientOptions;
import io.berth.client.artifact.ArtifactRef;
import io.berth.client.artifact.Artifacts;
import io.berth.client.artifact.FileSpec;
import io.berth.client.artifact.PushSpec;
import io.berth.client.artifact.TransferListener;
import io.berth.oci.Digest;
import io.berth.server.blob.S3ProxyServer;
import io.berth.server.testing.ScannerAdapterStub;
import io.berth.server.testing.WebhookReceiver;
import java.io.IOException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue #19: three identical nodes ({@code berth serve} in child JVMs) on one PostgreSQL database and one S3 bucket
 * (s3proxy as a separate process, {@code bin/s3proxy-start}, as {@code bin/berth-cluster} runs it), behind a
 * round-robin balancer without stickiness, so that the requests of one upload land on different nodes. Real clients
 * push through the balancer (the berth-client SDK, the {@code berth} CLI, skopeo); every node serves what was pushed
 * right after the push; a tag moved on one node is seen on the others within a second; each push reaches the webhook
 * once and each image is scanned once; a node killed with SIGKILL in the middle of pushes loses nothing that was
 * acknowledged, and clients that retry succeed.
 *
 * <p>The balancer is {@link RoundRobinProxy}, a Vert.x proxy in the test rather than nginx: it records which node
 * served each request (the assertions need that per request, not from parsing a log), it runs wherever the test runs,
 * and it follows strict round-robin, so that an upload's consecutive requests go to different nodes by construction.
 * {@code bin/berth-cluster} runs the same cluster behind nginx.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class MultiNodeTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String ACCEPT = String.join(", ", "application/vnd.oci.image.manifest.v1+json",
            "application/vnd.oci.image.index.v1+json", "application/vnd.docker.distribution.manifest.v2+json");
    private static final Pattern UPLOAD = Pattern.compile("/blobs/uploads/([0-9a-f-]{36})");

    @TempDir
    static Path dir;
    private static PostgresSchema database;
    private static List<ClusterNode> nodes;
    private static RoundRobinProxy proxy;
    private static S3ProxyServer s3;
    /** The webhook every node sends the push events to (each node runs a sender; the cluster's lease picks one). */
    private static WebhookReceiver hook;
    /** The scanner adapter of every node (each runs a scan worker; claims in the database pick one per scan). */
    private static ScannerAdapterStub scanner;

    @BeforeAll
    static void startCluster() throws Exception {
        database = PostgresSchema.create();
        s3 = S3ProxyServer.asProcess(dir.resolve("s3"));
        hook = WebhookReceiver.start();
        scanner = ScannerAdapterStub.start();
        List<ClusterNode> started = new ArrayList<>();
        for (int i = 1; i <= 3; i++) {
            int port = ServerProcess.freePort();
            started.add(ClusterNode.start(dir, "node" + i, port, nodeConfig(port, dir.resolve("node" + i))));
        }
        nodes = started;
        for (ClusterNode node : nodes) {
            node.awaitReady();
        }
        proxy = RoundRobinProxy.start(nodes.stream().map(ClusterNode::port).toList());
    }

    /** What differs between the nodes is only the address they listen on and their own data directory (logs, keys). */
    private static String nodeConfig(int port, Path data) {
        return """
                listen: 127.0.0.1:%d
                data: "%s"
                database:
                  url: "%s"
                  username: "%s"
                  password: "%s"
                storage:
                  driver: s3
                  s3:
                    endpoint: "%s"
                    region: us-east-1
                    bucket: "%s"
                    pathStyle: true
                    accessKey: "%s"
                    secretKey: "%s"
                events:
                  endpoints:
                    - name: hook
                      url: "%s"
                      format: cloudevents
                      actions: [push]
                scanners:
                  - name: stub
                    url: "%s"
                    types: [oci-image]
                log:
                  access: true
                """.formatted(port, data, database.url(), database.user(), database.password(), s3.endpoint(),
                S3ProxyServer.BUCKET, S3ProxyServer.IDENTITY, S3ProxyServer.CREDENTIAL, hook.url(),
                scanner.url());
    }

    @AfterAll
    static void stopCluster() throws Exception {
        if (proxy != null) {
            proxy.close();
        }
        if (nodes != null) {
            for (ClusterNode node : nodes) {
                node.kill();
            }
        }
        if (database != null) {
            database.close();
        }
        if (s3 != null) {
            s3.close();
        }
        if (hook != null) {
            hook.close();
        }
        if (scanner != null) {
            scanner.close();
        }
    }

    @Test
    @Order(1)
    void theRequestsOfOneChunkedUploadAreServedByEveryNode() throws Exception {
        Path big = random(dir.resolve("chunked.bin"), 5 << 20, 1);
        Path small = random(dir.resolve("small.bin"), 200 << 10, 2);
        int before = proxy.served().size();
        // One transfer at a time: the balancer's strict turns then put any three consecutive requests on three nodes.
        Digest manifest;
        try (Artifacts artifacts = Artifacts.create(ClientOptions.defaults().withPlainHttp(true)
                .withChunking(1 << 20, 1 << 20).withParallelism(1))) {
            manifest = artifacts.push(ArtifactRef.parse(proxy.hostPort() + "/cluster/sdk:v1"),
                    PushSpec.of("application/vnd.example.cluster.v1", List.of(
                            FileSpec.of(big, "application/octet-stream"), FileSpec.of(small, "application/octet-stream"))),
                    TransferListener.NONE).digest();
        }
        Map<String, List<RoundRobinProxy.Served>> uploads = uploads(proxy.served().subList(before, proxy.served().size()));
        List<RoundRobinProxy.Served> chunked = uploadOf(uploads, Digest.sha256(Files.readAllBytes(big)));
        assertThat(chunked).as("POST, five 1 MiB PATCHes and the PUT: %s", chunked).hasSizeGreaterThanOrEqualTo(7);
        assertThat(chunked).allSatisfy(request -> assertThat(request.status()).isBetween(200, 299));
        assertThat(nodesOf(chunked)).as("nodes that served part of the chunked upload").isEqualTo(allPorts());
        List<RoundRobinProxy.Served> monolithic = uploadOf(uploads, Digest.sha256(Files.readAllBytes(small)));
        assertThat(monolithic).extracting(RoundRobinProxy.Served::method).containsExactly("POST", "PUT");
        assertThat(nodesOf(monolithic)).as("the monolithic upload's POST and PUT").hasSize(2);

        servedByEveryNode("cluster/sdk", "v1", manifest);
    }

    @Test
    @Order(2)
    void theCliAndSkopeoPushThroughTheBalancerAndEveryNodeServesTheirTags() throws Exception {
        Path big = random(dir.resolve("cli-big.bin"), 20 << 20, 3);
        Path note = Files.writeString(dir.resolve("note.txt"), "pushed through the balancer\n");
        int before = proxy.served().size();
        // 20 MiB goes in the CLI's default 8 MiB chunks, the note in one request.
        CliRun push = CliRun.run("push", "--plain-http", "-q", proxy.hostPort() + "/cluster/cli:v1",
                big + ":application/octet-stream", note + ":text/plain");
        assertThat(push.exitCode()).as(push.toString()).isZero();
        Digest cliManifest = Digest.parse(push.out().strip());
        servedByEveryNode("cluster/cli", "v1", cliManifest);
        List<RoundRobinProxy.Served> cliUpload = uploadOf(uploads(proxy.served().subList(before, proxy.served().size())),
                Digest.sha256(Files.readAllBytes(big)));
        assertThat(cliUpload).extracting(RoundRobinProxy.Served::method)
                .containsExactly("POST", "PATCH", "PATCH", "PATCH", "PUT");
        assertThat(nodesOf(cliUpload)).as("nodes that served part of the CLI's upload").hasSizeGreaterThanOrEqualTo(2);

        Path layout = ociLayout(dir.resolve("oci"), "v1", 4);
        Path digestFile = dir.resolve("skopeo.digest");
        int beforeSkopeo = proxy.served().size();
        CliRun copy = skopeo("copy", "--dest-tls-verify=false", "--digestfile", digestFile.toString(),
                "oci:" + layout + ":v1", "docker://" + proxy.hostPort() + "/cluster/skopeo:v1");
        assertThat(copy.exitCode()).as(copy.toString()).isZero();
        servedByEveryNode("cluster/skopeo", "v1", Digest.parse(Files.readString(digestFile).strip()));
        List<RoundRobinProxy.Served> skopeoRequests = proxy.served().subList(beforeSkopeo, proxy.served().size());
        assertThat(nodesOf(skopeoRequests.stream().filter(r -> r.method().equals("PATCH") || r.method().equals("PUT"))
                .toList())).as("nodes that took skopeo's PATCHes and PUTs").isEqualTo(allPorts());
    }

    @Test
    @Order(3)
    void aTagMovedThroughOneNodeIsSeenOnTheOthersWithinOneSecond() throws Exception {
        Digest first = pushSmall("cluster/move", "current", 10);
        Digest second = pushSmall("cluster/move", "next", 11);
        for (ClusterNode node : nodes) {
            assertThat(manifestDigest(node, "cluster/move", "current")).as(node.name()).isEqualTo(first);
        }
        HttpResponse<byte[]> secondManifest = get(nodes.get(1), "/v2/cluster/move/manifests/" + second);
        HttpResponse<String> moved = ServerProcess.HTTP.send(HttpRequest.newBuilder(nodes.get(0)
                        .uri("/v2/cluster/move/manifests/current"))
                .header("Content-Type", secondManifest.headers().firstValue("Content-Type").orElseThrow())
                .PUT(HttpRequest.BodyPublishers.ofByteArray(secondManifest.body())).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(moved.statusCode()).as(moved.body()).isEqualTo(201);
        long movedAt = System.nanoTime();
        for (ClusterNode other : nodes.subList(1, 3)) {
            // The time from the move's answer to the start of the first request that saw the new digest.
            long seenAfter;
            while (true) {
                long asked = System.nanoTime();
                if (manifestDigest(other, "cluster/move", "current").equals(second)) {
                    seenAfter = TimeUnit.NANOSECONDS.toMillis(asked - movedAt);
                    break;
                }
                assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - movedAt))
                        .as("%s still serves the old digest", other.name()).isLessThan(5000);
                Thread.sleep(20);
            }
            assertThat(seenAfter).as("ms until %s served the moved tag", other.name()).isLessThanOrEqualTo(1000);
            System.out.printf("MultiNodeTest: %s served the moved tag %d ms after the move%n", other.name(), seenAfter);
        }
    }

    @Test
    @Order(4)
    void eachPushIsDeliveredToTheWebhookOnceThoughEveryNodeRunsASender() throws Exception {
        Map<String, Digest> pushed = new HashMap<>();
        for (int i = 0; i < 6; i++) { // through the balancer: each push's manifest PUT lands on a node in turn
            pushed.put("e" + i, pushSmall("cluster/events", "e" + i, 20 + i));
        }
        Predicate<WebhookReceiver.Delivery> ofThisTest = d -> d.event().at("/data/repository").asText()
                .equals("cluster/events");
        hook.await(ofThisTest, pushed.size(), Duration.ofSeconds(60));
        Thread.sleep(1000); // a duplicate would arrive now
        assertThat(hook.deliveries(ofThisTest)).extracting(d -> d.event().at("/data/tag").asText(),
                        d -> Digest.parse(d.event().at("/data/digest").asText()))
                .containsExactlyInAnyOrderElementsOf(pushed.entrySet().stream()
                        .map(p -> tuple(p.getKey(), p.getValue())).toList());
        // No node has died yet: every event of this class's pushes so far went out exactly once.
        assertThat(hook.duplicates()).as("event ids delivered more than once").isEmpty();
        assertThat(hook.deliveries()).extracting(d -> d.event().at("/data/repository").asText())
                .contains("cluster/sdk", "cluster/cli", "cluster/skopeo", "cluster/move");
    }

    @Test
    @Order(5)
    void eachImagePushedThroughTheBalancerIsScannedOnceThoughEveryNodeRunsAWorker() throws Exception {
        List<Digest> images = new ArrayList<>();
        for (int layers = 1; layers <= 4; layers++) {
            Path layout = ociLayout(dir.resolve("scan-oci-" + layers), "v1", layers);
            Path digestFile = dir.resolve("scan-" + layers + ".digest");
            CliRun copy = skopeo("copy", "--dest-tls-verify=false", "--digestfile", digestFile.toString(),
                    "oci:" + layout + ":v1", "docker://" + proxy.hostPort() + "/cluster/scans:s" + layers);
            assertThat(copy.exitCode()).as(copy.toString()).isZero();
            images.add(Digest.parse(Files.readString(digestFile).strip()));
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        for (Digest image : images) {
            String path = "/api/v1/artifact/scan?repository=cluster/scans&reference=" + image;
            while (!JSON.readTree(get(nodes.get(0), path).body()).at("/scan/status").asText().equals("done")) {
                assertThat(System.nanoTime()).as("the scan of %s is done within 60 s", image).isLessThan(deadline);
                Thread.sleep(100);
            }
        }
        Thread.sleep(1000); // a second scan would reach the adapter now
        assertThat(scanner.received()).filteredOn(scan -> scan.repository().equals("cluster/scans"))
                .extracting(scan -> Digest.parse(scan.digest())).containsExactlyInAnyOrderElementsOf(images);
        assertThat(scanner.received()).extracting(scan -> scan.repository() + "@" + scan.digest())
                .as("no node has died yet: every scan so far ran once").doesNotHaveDuplicates();
    }

    @Test
    @Order(6)
    void aNodeKilledInTheMiddleOfPushesLosesNothingAcknowledgedAndClientsThatRetrySucceed() throws Exception {
        int pushers = 4;
        int pushesEach = 6;
        Map<String, Digest> acknowledged = new ConcurrentHashMap<>();
        AtomicInteger inFlight = new AtomicInteger();
        AtomicInteger failedAttempts = new AtomicInteger();
        AtomicInteger acknowledgedAfterKill = new AtomicInteger();
        CountDownLatch someDone = new CountDownLatch(pushers);
        CountDownLatch killed = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(pushers);
        List<Future<?>> work = new ArrayList<>();
        // Small chunks: each push is a dozen requests, so that the kill falls into the middle of uploads.
        try (Artifacts artifacts = Artifacts.create(ClientOptions.defaults().withPlainHttp(true)
                .withChunking(256 << 10, 256 << 10).withParallelism(2))) {
            for (int p = 0; p < pushers; p++) {
                int pusher = p;
                work.add(pool.submit(() -> {
                    for (int i = 0; i < pushesEach; i++) {
                        String tag = "p" + pusher + "-" + i;
                        Path file = random(dir.resolve("crash-" + tag + ".bin"), (600 << 10) + i * 7919, 100 * pusher + i);
                        PushSpec spec = PushSpec.of("application/vnd.example.cluster.v1",
                                List.of(FileSpec.of(file, "application/octet-stream")));
                        for (int attempt = 1; ; attempt++) {
                            inFlight.incrementAndGet();
                            try {
                                Digest digest = artifacts.push(ArtifactRef.parse(proxy.hostPort() + "/cluster/crash:" + tag),
                                        spec, TransferListener.NONE).digest();
                                acknowledged.put(tag, digest);
                                if (killed.getCount() == 0) {
                                    acknowledgedAfterKill.incrementAndGet();
                                }
                                break;
                            } catch (RuntimeException e) {
                                failedAttempts.incrementAndGet();
                                if (attempt == 8) {
                                    throw new AssertionError("push of " + tag + " failed 8 times", e);
                                }
                                Thread.sleep(200);
                            } finally {
                                inFlight.decrementAndGet();
                            }
                        }
                        if (i == 1) {
                            someDone.countDown();
                        }
                    }
                    return null;
                }));
            }
            assertThat(someDone.await(60, TimeUnit.SECONDS)).as("two pushes of every pusher within 60 s").isTrue();
            while (inFlight.get() == 0) {
                Thread.onSpinWait();
            }
            nodes.get(1).kill();
            killed.countDown();
            for (Future<?> pushes : work) {
                pushes.get(90, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(acknowledged).hasSize(pushers * pushesEach);
        assertThat(acknowledgedAfterKill.get()).as("pushes acknowledged after the kill").isPositive();
        for (ClusterNode survivor : List.of(nodes.get(0), nodes.get(2))) {
            for (var ack : acknowledged.entrySet()) {
                assertServes(survivor, "cluster/crash", ack.getKey(), ack.getValue());
            }
        }
        System.out.printf("MultiNodeTest: %d pushes acknowledged (%d after the kill), %d failed attempts retried%n",
                acknowledged.size(), acknowledgedAfterKill.get(), failedAttempts.get());
    }

    /** The manifest by tag from every live node, with the expected digest, and each blob it names, whole and intact. */
    private static void servedByEveryNode(String repository, String tag, Digest manifest) throws Exception {
        for (ClusterNode node : nodes) {
            if (node.alive()) {
                assertServes(node, repository, tag, manifest);
            }
        }
    }

    private static void assertServes(ClusterNode node, String repository, String tag, Digest manifest) throws Exception {
        HttpResponse<byte[]> answer = get(node, "/v2/" + repository + "/manifests/" + tag);
        assertThat(answer.statusCode()).as("%s: %s:%s", node.name(), repository, tag).isEqualTo(200);
        assertThat(Digest.sha256(answer.body())).as("%s: %s:%s", node.name(), repository, tag).isEqualTo(manifest);
        JsonNode parsed = JSON.readTree(answer.body());
        List<String> blobs = new ArrayList<>();
        blobs.add(parsed.path("config").path("digest").asText());
        parsed.path("layers").forEach(layer -> blobs.add(layer.path("digest").asText()));
        for (String blob : blobs) {
            HttpResponse<byte[]> bytes = get(node, "/v2/" + repository + "/blobs/" + blob);
            assertThat(bytes.statusCode()).as("%s: blob %s", node.name(), blob).isEqualTo(200);
            assertThat(Digest.sha256(bytes.body())).as("%s: blob %s", node.name(), blob).isEqualTo(Digest.parse(blob));
        }
    }

    private static Digest manifestDigest(ClusterNode node, String repository, String tag) throws Exception {
        HttpResponse<byte[]> answer = get(node, "/v2/" + repository + "/manifests/" + tag);
        assertThat(answer.statusCode()).as("%s: %s:%s", node.name(), repository, tag).isEqualTo(200);
        return Digest.sha256(answer.body());
    }

    private static HttpResponse<byte[]> get(ClusterNode node, String path) throws IOException, InterruptedException {
        return ServerProcess.HTTP.send(HttpRequest.newBuilder(node.uri(path)).header("Accept", ACCEPT)
                .timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    private static Digest pushSmall(String repository, String tag, int seed) throws IOException {
        Path file = random(dir.resolve(repository.replace('/', '-') + "-" + tag + ".bin"), 4096, seed);
        try (Artifacts artifacts = Artifacts.create(ClientOptions.defaults().withPlainHttp(true))) {
            return artifacts.push(ArtifactRef.parse(proxy.hostPort() + "/" + repository + ":" + tag),
                    PushSpec.of("application/vnd.example.cluster.v1", List.of(FileSpec.of(file, "application/octet-stream"))),
                    TransferListener.NONE).digest();
        }
    }

    /**
     * The balancer's requests grouped by upload session: the {@code POST} that opened it (its answer's
     * {@code Location} names the session) and every request on the session's URL after it.
     */
    private static Map<String, List<RoundRobinProxy.Served>> uploads(List<RoundRobinProxy.Served> served) {
        Map<String, List<RoundRobinProxy.Served>> sessions = new HashMap<>();
        for (RoundRobinProxy.Served request : served) {
            String url = request.method().equals("POST") ? request.location() : request.uri();
            if (url == null) {
                continue;
            }
            Matcher session = UPLOAD.matcher(url);
            if (session.find()) {
                sessions.computeIfAbsent(session.group(1), id -> new ArrayList<>()).add(request);
            }
        }
        return sessions;
    }

    /** The requests of the one session that ended with a {@code PUT} of {@code blob}. */
    private static List<RoundRobinProxy.Served> uploadOf(Map<String, List<RoundRobinProxy.Served>> uploads, Digest blob) {
        String digest = "digest=" + blob.toString().replace(":", "%3A");
        List<List<RoundRobinProxy.Served>> found = uploads.values().stream()
                .filter(requests -> requests.stream().anyMatch(r -> r.method().equals("PUT")
                        && (r.uri().contains(digest) || r.uri().contains("digest=" + blob))))
                .toList();
        assertThat(found).as("the upload of %s among %s", blob, uploads).hasSize(1);
        return found.get(0);
    }

    private static Set<Integer> nodesOf(List<RoundRobinProxy.Served> requests) {
        return requests.stream().map(RoundRobinProxy.Served::node).collect(Collectors.toSet());
    }

    private static Set<Integer> allPorts() {
        return nodes.stream().map(ClusterNode::port).collect(Collectors.toCollection(HashSet::new));
    }

    private static Path random(Path file, int size, long seed) throws IOException {
        byte[] content = new byte[size];
        new Random(seed).nextBytes(content);
        return Files.write(file, content);
    }

    /** An OCI image layout with one image of {@code layers} uncompressed 1 MiB layers, tagged {@code tag}. */
    private static Path ociLayout(Path layout, String tag, int layers) throws IOException {
        Path blobs = Files.createDirectories(layout.resolve("blobs/sha256"));
        List<Map<String, Object>> layerDescriptors = new ArrayList<>();
        List<String> diffIds = new ArrayList<>();
        for (int i = 0; i < layers; i++) {
            byte[] layer = new byte[1 << 20];
            new Random(1000 + i).nextBytes(layer);
            Digest digest = blob(blobs, layer);
            layerDescriptors.add(Map.of("mediaType", "application/vnd.oci.image.layer.v1.tar", "digest",
                    digest.toString(), "size", layer.length));
            diffIds.add(digest.toString());
        }
        byte[] config = JSON.writeValueAsBytes(Map.of("architecture", "amd64", "os", "linux",
                "rootfs", Map.of("type", "layers", "diff_ids", diffIds)));
        byte[] manifest = JSON.writeValueAsBytes(Map.of("schemaVersion", 2,
                "mediaType", "application/vnd.oci.image.manifest.v1+json",
                "config", Map.of("mediaType", "application/vnd.oci.image.config.v1+json",
                        "digest", blob(blobs, config).toString(), "size", config.length),
                "layers", layerDescriptors));
        Digest manifestDigest = blob(blobs, manifest);
        Files.write(layout.resolve("index.json"), JSON.writeValueAsBytes(Map.of("schemaVersion", 2,
                "manifests", List.of(Map.of("mediaType", "application/vnd.oci.image.manifest.v1+json",
                        "digest", manifestDigest.toString(), "size", manifest.length,
                        "annotations", Map.of("org.opencontainers.image.ref.name", tag))))));
        Files.writeString(layout.resolve("oci-layout"), "{\"imageLayoutVersion\":\"1.0.0\"}");
        return layout;
    }

    private static Digest blob(Path blobs, byte[] content) throws IOException {
        Digest digest = Digest.sha256(content);
        Files.write(blobs.resolve(digest.hex()), content);
        return digest;
    }

    /** skopeo with an environment of its own: nothing of the machine's logins, policies or caches takes part. */
    private static CliRun skopeo(String... args) throws IOException {
        assertThat(SkopeoLoginInteropTest.SKOPEO).as("skopeo is needed: apt-get install -y skopeo (.ci/run installs it)")
                .isExecutable();
        Path sandbox = Files.createDirectories(dir.resolve("skopeo"));
        for (String sub : List.of("home", "config", "run", "tmp")) {
            Files.createDirectories(sandbox.resolve(sub));
        }
        Files.writeString(sandbox.resolve("registries.conf"), "unqualified-search-registries = []\n");
        Files.writeString(sandbox.resolve("policy.json"), "{\"default\":[{\"type\":\"insecureAcceptAnything\"}]}\n",
                StandardCharsets.UTF_8);
        List<String> command = new ArrayList<>(List.of(SkopeoLoginInteropTest.SKOPEO.toString(), "--policy",
                sandbox.resolve("policy.json").toString()));
        command.addAll(List.of(args));
        return ChildProcesses.run(Map.of("HOME", sandbox.resolve("home").toString(),
                "XDG_CONFIG_HOME", sandbox.resolve("config").toString(), "XDG_RUNTIME_DIR", sandbox.resolve("run").toString(),
                "TMPDIR", sandbox.resolve("tmp").toString(),
                "CONTAINERS_REGISTRIES_CONF", sandbox.resolve("registries.conf").toString(), "PATH", "/usr/bin:/bin",
                "LC_ALL", "C"), command);
    }
}
