package io.berth.server.api;

import static io.berth.server.api.RegistryHttp.assertError;
import static io.berth.server.api.RegistryHttp.json;
import static org.assertj.core.api.Assertions.assertThat;

import io.berth.server.blob.StorageConfig;
import io.berth.server.event.EndpointConfig;
import io.berth.server.event.EventsConfig;
import io.berth.server.scan.ScannerConfig;
import io.berth.server.testing.BerthFixture;
import io.berth.server.testing.ScannerAdapterStub;
import io.berth.server.testing.TestDatabases;
import io.berth.server.testing.WebhookReceiver;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import java.util.function.UnaryOperator;
import io.berth.server.config.BerthConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Several Berth nodes in one JVM, each on its own port, sharing one PostgreSQL schema and one data directory, behave
 * as one registry (issue #19, item 4): a change made on one node is seen by the others within a second (tags, a
 * deleted manifest and an unlinked blob, which their caches held; the operator's read-only switch); each webhook event
 * is delivered once, in order, while every node runs a sender, also when the delivering node stops mid-way; each scan
 * runs once. Skipped without {@code BERTH_TEST_POSTGRES_URL}, failing under {@code CI=true}.
 */
class ClusterCoordinationTest {
    private static final String REPO = "cluster/app";
    private static final long ONE_SECOND_NANOS = Duration.ofSeconds(1).toNanos();

    @TempDir
    Path dataDir;
    TestDatabases.PostgresSchema schema;
    final List<BerthFixture> nodes = new ArrayList<>();

    @BeforeEach
    void createSchema() {
        schema = TestDatabases.postgresSchema();
    }

    @AfterEach
    void stopNodes() {
        nodes.forEach(BerthFixture::close);
        if (schema != null) { // null: no PostgreSQL here, the test was skipped
            schema.close();
        }
    }

    private List<RegistryHttp> start(int count, UnaryOperator<BerthConfig> customize) {
        List<RegistryHttp> clients = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            BerthFixture node = BerthFixture.start(dataDir, c -> customize.apply(c.withDatabase(schema.config())));
            nodes.add(node);
            clients.add(new RegistryHttp(node.baseUri()));
        }
        return clients;
    }

    /** Polls {@code condition} until it holds; returns how long that took, failing after {@code limit}. */
    private static long nanosUntil(BooleanSupplier condition, Duration limit, String what) {
        long start = System.nanoTime();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - start > limit.toNanos()) {
                throw new AssertionError(what + " did not happen within " + limit);
            }
            WebhookReceiver.sleep(10);
        }
        return System.nanoTime() - start;
    }

    private static String digestOf(RegistryHttp node, String reference) {
        HttpResponse<byte[]> get = node.getManifest(REPO, reference);
        return get.statusCode() == 200 ? RegistryHttp.header(get, "Docker-Content-Digest").orElse("") : "";
    }

    @Test
    void aChangeOnOneNodeIsServedByTheOthersWithinASecond() {
        List<RegistryHttp> cluster = start(3, UnaryOperator.identity());
        RegistryHttp a = cluster.get(0);
        String first = a.pushImage(REPO, "latest").digest();
        for (RegistryHttp other : cluster.subList(1, 3)) { // the others cache tag, manifest and blob
            assertThat(digestOf(other, "latest")).isEqualTo(first);
            assertThat(digestOf(other, first)).isEqualTo(first);
        }

        String second = a.pushImage(REPO, "latest").digest();
        for (RegistryHttp other : cluster.subList(1, 3)) {
            long took = nanosUntil(() -> digestOf(other, "latest").equals(second), Duration.ofSeconds(5),
                    "the moved tag served by another node");
            assertThat(took).as("nanoseconds until another node served the moved tag").isLessThanOrEqualTo(ONE_SECOND_NANOS);
        }

        // A manifest read by digest is cached for a minute: only the change feed makes its deletion show in time.
        assertThat(a.delete("/v2/" + REPO + "/manifests/" + first).statusCode()).isEqualTo(202);
        for (RegistryHttp other : cluster.subList(1, 3)) {
            long took = nanosUntil(() -> other.getManifest(REPO, first).statusCode() == 404, Duration.ofSeconds(5),
                    "the deleted manifest refused by another node");
            assertThat(took).as("nanoseconds until another node refused the deleted manifest")
                    .isLessThanOrEqualTo(ONE_SECOND_NANOS);
        }

        // So is a blob link (a minute too): an unlink on one node shows on the others within a second.
        String layer = RegistryHttp.json(a.getManifest(REPO, second)).at("/layers/0/digest").asText();
        String blobPath = "/v2/" + REPO + "/blobs/" + layer;
        cluster.forEach(node -> assertThat(node.head(blobPath).statusCode()).isEqualTo(200));
        assertThat(a.delete(blobPath).statusCode()).isEqualTo(202);
        for (RegistryHttp other : cluster.subList(1, 3)) {
            long took = nanosUntil(() -> other.head(blobPath).statusCode() == 404, Duration.ofSeconds(5),
                    "the unlinked blob refused by another node");
            assertThat(took).as("nanoseconds until another node refused the unlinked blob")
                    .isLessThanOrEqualTo(ONE_SECOND_NANOS);
        }
    }

    @Test
    void readOnlySwitchedOnOneNodeRefusesWritesOnTheOthersWithinASecond() {
        List<RegistryHttp> cluster = start(3, UnaryOperator.identity());
        assertThat(cluster.get(0).post("/api/v1/admin/read-only?enabled=true&reason=backup").statusCode()).isEqualTo(200);
        for (RegistryHttp other : cluster.subList(1, 3)) {
            long took = nanosUntil(() -> other.post("/v2/" + REPO + "/blobs/uploads/").statusCode() == 503,
                    Duration.ofSeconds(5), "writes refused by another node");
            assertThat(took).isLessThanOrEqualTo(ONE_SECOND_NANOS);
            HttpResponse<byte[]> refused = other.post("/v2/" + REPO + "/blobs/uploads/");
            assertError(refused, 503, "DENIED");
            assertThat(RegistryHttp.body(refused)).contains("backup");
            assertThat(json(other.get("/api/v1/admin/read-only")).at("/manual/reason").asText()).isEqualTo("backup");
        }

        assertThat(cluster.get(1).post("/api/v1/admin/read-only?enabled=false").statusCode()).isEqualTo(200);
        for (RegistryHttp node : List.of(cluster.get(0), cluster.get(2))) {
            long took = nanosUntil(() -> node.post("/v2/" + REPO + "/blobs/uploads/").statusCode() == 202,
                    Duration.ofSeconds(5), "writes taken again by another node");
            assertThat(took).isLessThanOrEqualTo(ONE_SECOND_NANOS);
        }
        // The switch is the database's: a node started now obeys it too, and it survives restarts.
        assertThat(cluster.get(2).post("/api/v1/admin/read-only?enabled=true&reason=migration").statusCode()).isEqualTo(200);
        RegistryHttp late = start(1, UnaryOperator.identity()).get(0);
        assertError(late.post("/v2/" + REPO + "/blobs/uploads/"), 503, "DENIED");
    }

    @Test
    void eachEventIsDeliveredOnceAndInOrderAlsoWhenTheDeliveringNodeStops() throws Exception {
        try (WebhookReceiver receiver = WebhookReceiver.start()) {
            receiver.delayEach(Duration.ofMillis(800)); // so that the sender is mid-way when its node stops
            List<RegistryHttp> cluster = start(3, c -> c.withEvents(EventsConfig.NONE
                    .withEndpoint(EndpointConfig.webhook(receiver.url()))));
            List<String> pushed = new ArrayList<>();
            for (int i = 0; i < 9; i++) { // pushes spread over the nodes, one after the other
                String tag = "v" + i;
                cluster.get(i % 3).pushImage(REPO, tag);
                pushed.add(tag);
            }
            receiver.await(d -> true, 1, Duration.ofSeconds(30));
            String holder = leaseHolder("events:" + EndpointConfig.webhook(receiver.url()).name()).orElseThrow();
            int stopped = nodeIndex(holder);
            assertThat(receiver.deliveries().size()).as("deliveries when the holder stops").isLessThan(9);
            nodes.get(stopped).close(); // finishes the delivery in flight, releases the lease
            nodes.remove(stopped);
            RegistryHttp survivor = cluster.get((stopped + 1) % 3);
            for (int i = 9; i < 12; i++) {
                String tag = "v" + i;
                survivor.pushImage(REPO, tag);
                pushed.add(tag);
            }

            List<WebhookReceiver.Delivery> pushes = receiver.await(d -> true, 12, Duration.ofSeconds(60));
            WebhookReceiver.sleep(500); // a duplicate would arrive now
            assertThat(receiver.duplicates()).isEmpty();
            assertThat(receiver.deliveries()).hasSize(12);
            assertThat(pushes).extracting(d -> d.event().at("/target/tag").asText()).containsExactlyElementsOf(pushed);
            assertThat(leaseHolder("events:" + EndpointConfig.webhook(receiver.url()).name())).isPresent()
                    .get().isNotEqualTo(holder);
        }
    }

    @Test
    void eachScanRunsOnceWhileEveryNodeRunsAWorker() {
        try (ScannerAdapterStub adapter = ScannerAdapterStub.start()) {
            List<RegistryHttp> cluster = start(3, c -> c.withScanners(List.of(ScannerConfig.of("stub", adapter.url(),
                    List.of("oci-image")))));
            List<String> digests = new ArrayList<>();
            for (int i = 0; i < 9; i++) {
                digests.add(cluster.get(i % 3).pushImage(REPO, "s" + i).digest());
            }
            nanosUntil(() -> digests.stream().allMatch(digest -> json(cluster.get(0).get("/api/v1/artifact/scan?repository="
                    + REPO + "&reference=" + digest)).at("/scan/status").asText().equals("done")),
                    Duration.ofSeconds(60), "every scan done");
            assertThat(adapter.received()).extracting(ScannerAdapterStub.Received::digest)
                    .containsExactlyInAnyOrderElementsOf(digests);
        }
    }

    @Test
    void eachNodesMetricsNameItsNodeTheLeasesTheScanClaimsAndTheDatabasePool() throws Exception {
        try (WebhookReceiver receiver = WebhookReceiver.start()) {
            List<RegistryHttp> cluster = start(2, c -> c.withEvents(EventsConfig.NONE
                    .withEndpoint(EndpointConfig.webhook(receiver.url()))));
            cluster.get(0).pushImage(REPO, "v1");
            receiver.await(d -> true, 1, Duration.ofSeconds(30));
            String job = "events:" + EndpointConfig.webhook(receiver.url()).name();
            String holder = leaseHolder(job).orElseThrow();
            // A lease left by a node that died: held past its expiry, not yet taken over.
            execute("INSERT INTO job_leases (name, holder, expires_at, acquired_at) VALUES ('upload-expiry-test',"
                    + " 'dead-node', 1, 1)");
            int mine = 0;
            for (BerthFixture node : nodes) {
                String metrics = RegistryHttp.body(new RegistryHttp(node.baseUri()).get("/metrics"));
                assertThat(metrics).containsPattern("(?m)^berth_node_info\\{node=\"[^\"]+\"} 1(\\.0)?$")
                        .containsPattern("(?m)^hikaricp_connections_active\\{pool=\"berth-metadata\"} ")
                        .containsPattern("(?m)^hikaricp_connections_idle\\{pool=\"berth-metadata\"} ")
                        .containsPattern("(?m)^hikaricp_connections_pending\\{pool=\"berth-metadata\"} ")
                        .containsPattern("(?m)^hikaricp_connections_max\\{pool=\"berth-metadata\"} 8\\.0$")
                        .containsPattern("(?m)^berth_job_lease_held_seconds\\{holder=\"" + holder + "\",job=\"" + job + "\"} ")
                        .containsPattern("(?m)^berth_job_lease_overdue\\{job=\"" + job + "\"} 0\\.0$")
                        .containsPattern("(?m)^berth_job_lease_overdue\\{job=\"upload-expiry-test\"} 1\\.0$")
                        .containsPattern("(?m)^berth_scans_claimed ")
                        .containsPattern("(?m)^berth_scans_overdue ")
                        .containsPattern("(?m)^berth_cluster_nodes_live 2\\.0$");
                if (metrics.contains("berth_job_lease_mine{job=\"" + job + "\"} 1.0")) {
                    mine++;
                }
            }
            assertThat(mine).as("nodes that say they hold the endpoint's lease").isEqualTo(1);
        }
    }

    private void execute(String sql) throws Exception {
        try (Connection connection = DriverManager.getConnection(schema.config().url(), schema.config().username(),
                schema.config().password());
             Statement statement = connection.createStatement()) {
            statement.execute(sql);
        }
    }

    @Test
    void oneScrubAtATimeAcrossTheNodesAndEveryNodeListsItsReport() throws Exception {
        List<RegistryHttp> cluster = start(2, c -> c.withStorage(new StorageConfig(0, false,
                c.storage().verifyOnReadBelow(), 200, c.storage().checkInterval()))); // 200 bytes/s: seconds to scrub
        for (int i = 0; i < 3; i++) {
            cluster.get(0).pushImage(REPO, "scrub-" + i);
        }
        java.util.concurrent.CompletableFuture<HttpResponse<byte[]>> first =
                java.util.concurrent.CompletableFuture.supplyAsync(() -> cluster.get(0).post("/api/v1/admin/scrub"));
        nanosUntil(() -> json(cluster.get(1).get("/api/v1/admin/scrub")).path("running").asBoolean(),
                Duration.ofSeconds(10), "the scrub listed as running by the other node");
        HttpResponse<byte[]> second = cluster.get(1).post("/api/v1/admin/scrub");
        assertError(second, 409, "UNSUPPORTED");
        String runningOn = json(cluster.get(1).get("/api/v1/admin/scrub")).at("/runs/0/node").asText();
        assertThat(RegistryHttp.body(second)).contains("a scrub is already running on node " + runningOn);

        HttpResponse<byte[]> done = first.get(60, java.util.concurrent.TimeUnit.SECONDS);
        assertThat(done.statusCode()).isEqualTo(200);
        assertThat(json(done).path("blobsChecked").asLong()).isEqualTo(6);
        var listed = json(cluster.get(1).get("/api/v1/admin/scrub"));
        assertThat(listed.path("running").asBoolean()).isFalse();
        assertThat(listed.at("/runs/0/id").asLong()).isEqualTo(json(done).path("id").asLong());
        assertThat(listed.at("/runs/0/status").asText()).isEqualTo("done");
        assertThat(listed.at("/runs/0/blobsChecked").asLong()).isEqualTo(6);
        assertThat(cluster.get(1).post("/api/v1/admin/scrub").statusCode()).as("the lease was released").isEqualTo(200);
    }

    /** Which node holds the lease {@code name}, from the database. */
    private Optional<String> leaseHolder(String name) throws Exception {
        try (Connection connection = DriverManager.getConnection(schema.config().url(), schema.config().username(),
                schema.config().password());
             Statement statement = connection.createStatement();
             ResultSet row = statement.executeQuery("SELECT holder FROM job_leases WHERE name = '" + name + "'")) {
            return row.next() ? Optional.ofNullable(row.getString(1)) : Optional.empty();
        }
    }

    /** The index in {@link #nodes} of the node with this id, from its metrics' node tag. */
    private int nodeIndex(String nodeId) {
        for (int i = 0; i < nodes.size(); i++) {
            String metrics = RegistryHttp.body(new RegistryHttp(nodes.get(i).baseUri()).get("/metrics"));
            if (metrics.contains("berth_node_info{node=\"" + nodeId + "\"}")) {
                return i;
            }
        }
        throw new AssertionError("no node has the id " + nodeId);
    }
}
