package io.berth.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.berth.oci.Digest;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code bin/berth-cluster} with the packaged jar: PostgreSQL from Debian's binaries, three {@code bin/berth serve}
 * nodes and nginx balancing round-robin, in the foreground form ({@code run}, on free ports, as bench/run uses it; the
 * {@code up} form starts the same parts on fixed ports in the background). A chunked push through nginx is served by
 * every node, and SIGTERM stops every part and reports the requests each node answered.
 */
class ClusterScriptPackageTest {
    private static final Path SCRIPT = Path.of("..", "bin", "berth-cluster").toAbsolutePath().normalize();
    private static final Pattern NODES = Pattern.compile("nodes on ([0-9 ]+), PostgreSQL");
    private static final Pattern PER_NODE = Pattern.compile("since ready: (\\d+) \\(per node: ([0-9 ]+)\\)");

    @TempDir
    Path dir;

    @Test
    void aPushThroughNginxIsServedByEveryNodeAndSigtermStopsEveryPart() throws Exception {
        Path jar = PackagedFiles.jar();
        for (Path tool : List.of(Path.of("/usr/sbin/nginx"), Path.of("/usr/lib/postgresql"))) {
            String missing = tool + " is missing: apt-get install -y nginx-light postgresql (.ci/run installs them)";
            if ("true".equals(System.getenv("CI"))) {
                assertThat(tool).as(missing).exists();
            }
            Assumptions.assumeTrue(Files.exists(tool), missing);
        }
        int port = ServerProcess.freePort();
        Path log = dir.resolve("cluster.log");
        ProcessBuilder builder = new ProcessBuilder(SCRIPT.toString(), "run", "--listen", "127.0.0.1:" + port,
                "--data", dir.resolve("cluster").toString(), "--nodes", "3")
                .redirectErrorStream(true).redirectOutput(log.toFile());
        builder.environment().put("BERTH_JAR", jar.toString());
        builder.environment().put("BERTH_CLUSTER_STORAGE", "filesystem");
        builder.environment().put("BERTH_CDS", "off");
        Process cluster = builder.start();
        try {
            awaitBalancer(cluster, port, log);
            Matcher nodes = NODES.matcher(Files.readString(log));
            assertThat(nodes.find()).as(Files.readString(log)).isTrue();
            List<Integer> nodePorts = Arrays.stream(nodes.group(1).trim().split(" ")).map(Integer::valueOf).toList();
            assertThat(nodePorts).hasSize(3);

            byte[] content = new byte[20 << 20];
            new Random(7).nextBytes(content);
            Path file = Files.write(dir.resolve("layer.bin"), content);
            CliRun push = CliRun.run("push", "--plain-http", "-q", "127.0.0.1:" + port + "/cluster/script:v1",
                    file + ":application/octet-stream");
            assertThat(push.exitCode()).as(push.toString()).isZero();
            Digest manifest = Digest.parse(push.out().strip());
            for (int node : nodePorts) {
                assertThat(uploadRequests(node)).as("POST, PATCH and PUT requests the node on %d answered", node)
                        .isPositive();
            }
            for (int node : nodePorts) {
                HttpResponse<byte[]> answer = ServerProcess.HTTP.send(HttpRequest.newBuilder(
                                java.net.URI.create("http://127.0.0.1:" + node + "/v2/cluster/script/manifests/v1"))
                        .header("Accept", "application/vnd.oci.image.manifest.v1+json").build(),
                        HttpResponse.BodyHandlers.ofByteArray());
                assertThat(answer.statusCode()).as("node on %d", node).isEqualTo(200);
                assertThat(Digest.sha256(answer.body())).as("node on %d", node).isEqualTo(manifest);
                HttpResponse<byte[]> blob = ServerProcess.HTTP.send(HttpRequest.newBuilder(java.net.URI.create(
                                "http://127.0.0.1:" + node + "/v2/cluster/script/blobs/" + Digest.sha256(content))).build(),
                        HttpResponse.BodyHandlers.ofByteArray());
                assertThat(Digest.sha256(blob.body())).as("the layer from the node on %d", node)
                        .isEqualTo(Digest.sha256(content));
            }
            List<ProcessHandle> parts = cluster.descendants().toList();
            cluster.destroy();
            assertThat(cluster.waitFor(60, TimeUnit.SECONDS)).as("stopped within 60 s after SIGTERM").isTrue();
            assertThat(cluster.exitValue()).as(Files.readString(log)).isZero();
            assertThat(parts).as("every part stopped with it").noneMatch(ProcessHandle::isAlive);
            Matcher served = PER_NODE.matcher(Files.readString(log));
            assertThat(served.find()).as(Files.readString(log)).isTrue();
            assertThat(Arrays.stream(served.group(2).trim().split(" ")).map(Integer::valueOf))
                    .as("requests each node answered through nginx (the push: HEADs, POSTs, PATCHes, PUTs)")
                    .hasSize(3).allMatch(count -> count > 0);
        } finally {
            cluster.descendants().forEach(ProcessHandle::destroyForcibly);
            cluster.destroyForcibly();
        }
    }

    /** The upload requests a node answered, from its {@code /metrics}. */
    private static long uploadRequests(int node) throws Exception {
        String metrics = ServerProcess.HTTP.send(HttpRequest.newBuilder(
                java.net.URI.create("http://127.0.0.1:" + node + "/metrics")).build(), HttpResponse.BodyHandlers.ofString()).body();
        return metrics.lines().filter(line -> line.startsWith("berth_http_server_requests_seconds_count{"))
                .filter(line -> line.contains("method=\"POST\"") || line.contains("method=\"PATCH\"")
                        || line.contains("method=\"PUT\""))
                .mapToLong(line -> (long) Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1))).sum();
    }

    private static void awaitBalancer(Process cluster, int port, Path log) throws Exception {
        Instant deadline = Instant.now().plusSeconds(180);
        while (Instant.now().isBefore(deadline)) {
            assertThat(cluster.isAlive()).as(Files.readString(log)).isTrue();
            try {
                var answer = ServerProcess.HTTP.send(HttpRequest.newBuilder(
                                java.net.URI.create("http://127.0.0.1:" + port + "/v2/")).timeout(Duration.ofSeconds(5)).build(),
                        HttpResponse.BodyHandlers.discarding());
                // The script says it runs (with the nodes' ports) once nginx answers: wait for both.
                if (answer.statusCode() == 200 && NODES.matcher(Files.readString(log)).find()) {
                    return;
                }
            } catch (java.io.IOException notYet) {
                // nginx is not listening yet
            }
            Thread.sleep(200);
        }
        throw new AssertionError("the cluster did not answer within 180 s:\n" + Files.readString(log));
    }
}
