package io.berth.server.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.berth.server.blob.UploadSessions;
import io.berth.server.config.BerthConfig;
import io.berth.server.meta.DatabaseConfig;
import io.berth.server.testing.BerthFixture;
import io.berth.server.testing.MovableClock;
import io.berth.server.testing.TestDatabases;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Stateless uploads (issue #19): two registry nodes share one database and one data directory, and the requests of one
 * upload — POST, PATCHes, the final PUT — alternate between them. The node that continues an upload takes over its
 * claim and its running SHA-256 from the database (counted by {@code berth_uploads_hash_resumed_total}), a claim left
 * by a node that died mid-request lapses, and a saved hash state that is wrong never refuses good bytes.
 */
class UploadsAcrossNodesTest {
    private static final String REPO = "nodes/app";

    @TempDir
    Path dataDir;

    private final MovableClock clock = new MovableClock();

    /** Two nodes on one database ({@code sqlite}: the data directory's file; {@code postgresql}: a fresh schema). */
    private record Cluster(BerthFixture a, BerthFixture b, RegistryHttp httpA, RegistryHttp httpB, DatabaseConfig database,
                           TestDatabases.PostgresSchema schema) implements AutoCloseable {
        @Override
        public void close() {
            try (schema; a) {
                b.close();
            }
        }
    }

    private Cluster cluster(String kind) {
        TestDatabases.PostgresSchema schema = kind.equals("postgresql") ? TestDatabases.postgresSchema() : null;
        UnaryOperator<BerthConfig> config = c -> schema == null ? c : c.withDatabase(schema.config());
        BerthFixture a = BerthFixture.start(dataDir, config, clock);
        BerthFixture b = BerthFixture.start(dataDir, config, clock);
        return new Cluster(a, b, new RegistryHttp(a.baseUri()), new RegistryHttp(b.baseUri()),
                config.apply(BerthConfig.defaults(dataDir)).database(), schema);
    }

    /** The location's path and query, to send to any node. */
    private static String path(URI location) {
        return location.getRawPath() + (location.getRawQuery() == null ? "" : "?" + location.getRawQuery());
    }

    private static HttpResponse<byte[]> patch(RegistryHttp http, String upload, byte[] content, int from, int to) {
        return http.send("PATCH", upload, Arrays.copyOfRange(content, from, to), "Content-Type", "application/octet-stream",
                "Content-Range", from + "-" + (to - 1));
    }

    private static String put(String upload, String digest) {
        return RegistryHttp.withQuery(URI.create(upload), "digest", digest);
    }

    /** A counter of the node's {@code /metrics}, 0 when absent. */
    private static double metric(RegistryHttp http, String line) {
        String metrics = RegistryHttp.body(http.get("/metrics"));
        return metrics.lines().filter(l -> l.startsWith(line + " ")).mapToDouble(l -> Double.parseDouble(l.split(" ")[1]))
                .findFirst().orElse(0);
    }

    private static final String RESTORED = "berth_uploads_hash_resumed_total{source=\"restored\"}";
    private static final String REBUILT = "berth_uploads_hash_resumed_total{source=\"rebuilt\"}";

    @ParameterizedTest
    @ValueSource(strings = "postgresql") // claims and saved hashes: SQLite serves one node (LocalUploadClaims)
    void aChunkedUploadWhoseRequestsAlternateBetweenNodesMakesTheBlobWithoutReadingItBack(String kind) {
        try (Cluster nodes = cluster(kind)) {
            byte[] content = RegistryHttp.randomBytes(700_000);
            String digest = RegistryHttp.sha256(content);
            String upload = path(nodes.httpA().startUpload(REPO));
            int[] cuts = {0, 100_001, 250_000, 250_064, 600_000};
            List<RegistryHttp> turns = List.of(nodes.httpB(), nodes.httpA(), nodes.httpB(), nodes.httpA());
            for (int i = 0; i < turns.size(); i++) {
                HttpResponse<byte[]> chunk = patch(turns.get(i), upload, content, cuts[i], cuts[i + 1]);
                assertThat(chunk.statusCode()).as("PATCH %d: %s", i, RegistryHttp.body(chunk)).isEqualTo(202);
                assertThat(RegistryHttp.header(chunk, "Range")).contains("0-" + (cuts[i + 1] - 1));
                upload = path(turns.get(i).location(chunk));
            }
            HttpResponse<byte[]> status = nodes.httpB().get(upload);
            assertThat(RegistryHttp.header(status, "Range")).contains("0-599999");

            HttpResponse<byte[]> last = nodes.httpB().send("PUT", put(upload, digest),
                    Arrays.copyOfRange(content, 600_000, content.length), "Content-Type", "application/octet-stream",
                    "Content-Range", "600000-699999");

            assertThat(last.statusCode()).as(RegistryHttp.body(last)).isEqualTo(201);
            for (RegistryHttp node : List.of(nodes.httpA(), nodes.httpB())) {
                HttpResponse<byte[]> blob = node.get("/v2/" + REPO + "/blobs/" + digest);
                assertThat(blob.statusCode()).isEqualTo(200);
                assertThat(blob.body()).isEqualTo(content);
            }
            // Every request after the first found the hash another node saved: none read the bytes back.
            assertThat(metric(nodes.httpA(), RESTORED) + metric(nodes.httpB(), RESTORED))
                    .as(RegistryHttp.body(nodes.httpA().get("/metrics")).lines().filter(l -> l.startsWith("berth_uploads"))
                            .toList().toString()).isEqualTo(4);
            assertThat(metric(nodes.httpA(), REBUILT) + metric(nodes.httpB(), REBUILT)).isZero();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"sqlite", "postgresql"})
    void monolithicUploadsStartedOnOneNodeFinishOnTheOther(String kind) {
        try (Cluster nodes = cluster(kind)) {
            for (int size : new int[] {10_000, 300_000}) { // read whole, and streamed
                byte[] content = RegistryHttp.randomBytes(size);
                String digest = RegistryHttp.sha256(content);
                String upload = path(nodes.httpA().startUpload(REPO));

                HttpResponse<byte[]> put = nodes.httpB().send("PUT", put(upload, digest), content,
                        "Content-Type", "application/octet-stream");

                assertThat(put.statusCode()).as(RegistryHttp.body(put)).isEqualTo(201);
                assertThat(nodes.httpA().get("/v2/" + REPO + "/blobs/" + digest).body()).isEqualTo(content);
            }
            byte[] single = RegistryHttp.randomBytes(200_000);
            HttpResponse<byte[]> post = nodes.httpB().send("POST", "/v2/" + REPO + "/blobs/uploads/?digest="
                    + RegistryHttp.sha256(single), single, "Content-Type", "application/octet-stream");
            assertThat(post.statusCode()).as(RegistryHttp.body(post)).isEqualTo(201);
            assertThat(nodes.httpA().get("/v2/" + REPO + "/blobs/" + RegistryHttp.sha256(single)).body()).isEqualTo(single);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = "postgresql") // claims and saved hashes: SQLite serves one node (LocalUploadClaims)
    void aClaimLeftByANodeThatDiedLapsesAndTheUploadContinuesElsewhere(String kind) throws Exception {
        try (Cluster nodes = cluster(kind)) {
            byte[] content = RegistryHttp.randomBytes(200_000);
            String upload = path(nodes.httpA().startUpload(REPO));
            HttpResponse<byte[]> first = patch(nodes.httpA(), upload, content, 0, 80_000);
            assertThat(first.statusCode()).isEqualTo(202);
            upload = path(nodes.httpA().location(first));
            // What a node killed in the middle of a PATCH leaves: its claim, with a lease running.
            execute(nodes.database(), "UPDATE uploads SET claimed_by = 'dead-node', claimed_until = ?",
                    clock.millis() + UploadSessions.CLAIM_LEASE.toMillis());

            RegistryHttp.assertError(patch(nodes.httpB(), upload, content, 80_000, 200_000), 400, "BLOB_UPLOAD_INVALID");
            clock.advance(UploadSessions.CLAIM_LEASE.plusSeconds(1));
            HttpResponse<byte[]> retry = patch(nodes.httpB(), upload, content, 80_000, 200_000);
            assertThat(retry.statusCode()).as(RegistryHttp.body(retry)).isEqualTo(202);

            String digest = RegistryHttp.sha256(content);
            HttpResponse<byte[]> finish = nodes.httpA().send("PUT", put(path(nodes.httpB().location(retry)), digest),
                    new byte[0]);
            assertThat(finish.statusCode()).as(RegistryHttp.body(finish)).isEqualTo(201);
            assertThat(nodes.httpB().get("/v2/" + REPO + "/blobs/" + digest).body()).isEqualTo(content);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = "postgresql") // claims and saved hashes: SQLite serves one node (LocalUploadClaims)
    void aWrongDigestAfterAResumeIsDigestInvalidAndAWrongSavedStateNeverRefusesGoodBytes(String kind) throws Exception {
        try (Cluster nodes = cluster(kind)) {
            byte[] content = RegistryHttp.randomBytes(150_000);
            String wrong = path(nodes.httpA().startUpload(REPO));
            assertThat(patch(nodes.httpB(), wrong, content, 0, 150_000).statusCode()).isEqualTo(202);
            HttpResponse<byte[]> refused = nodes.httpA().send("PUT",
                    put(wrong, RegistryHttp.sha256(RegistryHttp.randomBytes(10))), new byte[0]);
            RegistryHttp.assertError(refused, 400, "DIGEST_INVALID");
            RegistryHttp.assertError(nodes.httpB().get(wrong), 404, "BLOB_UPLOAD_UNKNOWN");

            String good = path(nodes.httpA().startUpload(REPO));
            assertThat(patch(nodes.httpB(), good, content, 0, 100_000).statusCode()).isEqualTo(202);
            String id = good.substring(good.lastIndexOf('/') + 1).replaceFirst("\\?.*", "");
            corruptSavedState(nodes.database(), UUID.fromString(id));
            assertThat(patch(nodes.httpA(), good, content, 100_000, 150_000).statusCode()).isEqualTo(202);

            String digest = RegistryHttp.sha256(content);
            HttpResponse<byte[]> finish = nodes.httpB().send("PUT", put(good, digest), new byte[0]);

            assertThat(finish.statusCode()).as("rehashed from the bytes: %s", RegistryHttp.body(finish)).isEqualTo(201);
            assertThat(nodes.httpA().get("/v2/" + REPO + "/blobs/" + digest).body()).isEqualTo(content);
        }
    }

    /** Flips a bit of a state word of the session's saved SHA-256, as a bug in saving or restoring it would. */
    private static void corruptSavedState(DatabaseConfig database, UUID upload) throws Exception {
        try (Connection connection = DriverManager.getConnection(database.url(), database.username(), database.password());
             PreparedStatement select = connection.prepareStatement("SELECT hash_state FROM uploads WHERE id = ?")) {
            select.setString(1, upload.toString());
            byte[] state;
            try (var rows = select.executeQuery()) {
                assertThat(rows.next()).isTrue();
                state = rows.getBytes(1);
            }
            assertThat(state).as("a state was saved").isNotNull();
            state[12] ^= 1;
            try (PreparedStatement update = connection.prepareStatement("UPDATE uploads SET hash_state = ? WHERE id = ?")) {
                update.setBytes(1, state);
                update.setString(2, upload.toString());
                assertThat(update.executeUpdate()).isEqualTo(1);
            }
        }
    }

    private static void execute(DatabaseConfig database, String sql, long value) throws Exception {
        try (Connection connection = DriverManager.getConnection(database.url(), database.username(), database.password());
             PreparedStatement statement = connection.prepareStatement(sql)) {
            statement.setLong(1, value);
            assertThat(statement.executeUpdate()).isEqualTo(1);
        }
    }
}
