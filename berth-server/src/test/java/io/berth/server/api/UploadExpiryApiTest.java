package io.berth.server.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.berth.server.blob.UploadsConfig;
import io.berth.server.config.BerthConfig;
import io.berth.server.testing.BerthFixture;
import io.berth.server.testing.TestDatabases;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.UUID;
import java.util.function.UnaryOperator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Upload expiry through the API of a running registry with {@code uploads.expireAfter: 2s}: a session the client keeps
 * asking about survives however long it lives, an idle one goes with its bytes and answers every later request with
 * 404 {@code BLOB_UPLOAD_UNKNOWN}, an upload file without a session goes too, and the metrics count all of it. On
 * SQLite and on PostgreSQL ({@code BERTH_TEST_POSTGRES_URL}; skipped without it, failing under {@code CI=true}).
 */
class UploadExpiryApiTest {
    private static final Duration EXPIRE_AFTER = Duration.ofSeconds(2);
    private static final String REPO = "expiry/app";

    @TempDir
    Path dataDir;

    @ParameterizedTest
    @ValueSource(strings = {"sqlite", "postgresql"})
    void idleSessionsAndFilesWithoutASessionExpireWhileATouchedSessionLives(String database) throws Exception {
        TestDatabases.PostgresSchema schema = database.equals("postgresql") ? TestDatabases.postgresSchema() : null;
        UnaryOperator<BerthConfig> config = c -> {
            BerthConfig withExpiry = c.withUploads(new UploadsConfig(EXPIRE_AFTER));
            return schema == null ? withExpiry : withExpiry.withDatabase(schema.config());
        };
        try (schema; BerthFixture registry = BerthFixture.start(dataDir, config)) {
            RegistryHttp http = new RegistryHttp(registry.baseUri());
            URI idle = http.startUpload(REPO);
            assertThat(patch(http, idle, new byte[1000], 0).statusCode()).isEqualTo(202);
            byte[] content = RegistryHttp.randomBytes(1500);
            URI active = http.startUpload(REPO);
            assertThat(patch(http, active, Arrays.copyOfRange(content, 0, 500), 0).statusCode()).isEqualTo(202);
            Path orphan = dataDir.resolve("uploads").resolve(UUID.randomUUID().toString());
            Files.write(orphan, new byte[300]); // a start that failed before its row was written, an hour ago
            Files.setLastModifiedTime(orphan, FileTime.from(Instant.now().minus(Duration.ofHours(1))));
            Path idleFile = dataDir.resolve("uploads").resolve(sessionId(idle));

            // the client asks for the active session's status now and then, for twice the expiry and more
            long until = System.nanoTime() + EXPIRE_AFTER.multipliedBy(2).plusMillis(500).toNanos();
            while (System.nanoTime() < until || Files.exists(idleFile) || Files.exists(orphan)) {
                HttpResponse<byte[]> status = http.get(active.toString());
                assertThat(status.statusCode()).as("the active session: %s", RegistryHttp.body(status)).isEqualTo(204);
                assertThat(System.nanoTime()).as("the idle session's file is gone in time")
                        .isLessThan(until + Duration.ofSeconds(20).toNanos());
                Thread.sleep(200);
            }

            RegistryHttp.assertError(http.get(idle.toString()), 404, "BLOB_UPLOAD_UNKNOWN");
            RegistryHttp.assertError(patch(http, idle, new byte[10], 1000), 404, "BLOB_UPLOAD_UNKNOWN");
            RegistryHttp.assertError(http.send("PUT", RegistryHttp.withQuery(idle, "digest",
                    RegistryHttp.sha256(new byte[1000])), new byte[0]), 404, "BLOB_UPLOAD_UNKNOWN");

            HttpResponse<byte[]> put = http.send("PUT", RegistryHttp.withQuery(active, "digest", RegistryHttp.sha256(content)),
                    Arrays.copyOfRange(content, 500, content.length), "Content-Type", RegistryHttp.OCTET_STREAM,
                    "Content-Range", "500-1499");
            assertThat(put.statusCode()).as(RegistryHttp.body(put)).isEqualTo(201);
            assertThat(http.get("/v2/" + REPO + "/blobs/" + RegistryHttp.sha256(content)).body()).isEqualTo(content);

            String metrics = RegistryHttp.body(http.get("/metrics"));
            assertThat(sample(metrics, "berth_uploads_ended_total\\{outcome=\"expired\",?\\}")).isEqualTo(1);
            assertThat(sample(metrics, "berth_uploads_orphan_files_removed_total")).isEqualTo(1);
            assertThat(sample(metrics, "berth_uploads_expired_bytes_total")).isEqualTo(1000 + 300);
            assertThat(sample(metrics, "berth_uploads_open")).isZero();
        }
    }

    private static HttpResponse<byte[]> patch(RegistryHttp http, URI upload, byte[] chunk, long from) {
        return http.send("PATCH", upload.toString(), chunk, "Content-Type", RegistryHttp.OCTET_STREAM,
                "Content-Range", from + "-" + (from + chunk.length - 1));
    }

    private static String sessionId(URI upload) {
        String path = upload.getPath();
        return path.substring(path.lastIndexOf('/') + 1);
    }

    /** The value of the one sample whose name (and labels) match {@code series}, a regular expression. */
    private static double sample(String metrics, String series) {
        Matcher m = Pattern.compile("(?m)^" + series + " ([0-9.eE+-]+)$").matcher(metrics);
        assertThat(m.find()).as("%s in the metrics", series).isTrue();
        return Double.parseDouble(m.group(1));
    }
}
