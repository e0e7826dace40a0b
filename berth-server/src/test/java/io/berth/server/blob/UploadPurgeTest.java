package io.berth.server.blob;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.berth.oci.ErrorCode;
import io.berth.oci.RegistryException;
import io.berth.oci.Repository;
import io.berth.server.meta.DatabaseConfig;
import io.berth.server.meta.Database;
import io.berth.server.meta.JdbcBlobIndex;
import io.berth.server.meta.JdbcUploadIndex;
import io.vertx.core.Vertx;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Abandoned upload sessions are purged after a day, with their bytes; younger ones stay. */
class UploadPurgeTest {
    private static final Repository APP = Repository.of("purge/app");

    @TempDir
    Path root;

    @Test
    void sessionsOlderThanTheMaximumAgeAreEndedAndTheirBytesDiscarded() throws Exception {
        AtomicLong now = new AtomicLong(Instant.parse("2026-11-01T00:00:00Z").toEpochMilli());
        Clock clock = new Clock() {
            @Override
            public ZoneId getZone() {
                return ZoneOffset.UTC;
            }

            @Override
            public Clock withZone(ZoneId zone) {
                return this;
            }

            @Override
            public Instant instant() {
                return Instant.ofEpochMilli(now.get());
            }
        };
        Vertx vertx = Vertx.vertx();
        try (Database database = Database.open(new DatabaseConfig("jdbc:sqlite:" + root.resolve("berth.db"), null, null, 2))) {
            FilesystemBlobStore store = new FilesystemBlobStore(root);
            UploadSessions sessions = new UploadSessions(vertx, store, new JdbcUploadIndex(database),
                    new JdbcBlobIndex(database), clock);
            UUID abandoned = sessions.start(APP).id();
            Files.write(store.uploadPath(abandoned), new byte[1024]);
            now.addAndGet(Duration.ofHours(25).toMillis());
            UUID recent = sessions.start(APP).id();

            assertThat(sessions.purgeStale(Duration.ofHours(24))).isEqualTo(1);

            assertThatThrownBy(() -> sessions.find(APP, abandoned)).isInstanceOfSatisfying(RegistryException.class,
                    e -> assertThat(e.code()).isEqualTo(ErrorCode.BLOB_UPLOAD_UNKNOWN));
            assertThat(store.uploadPath(abandoned)).doesNotExist();
            assertThat(sessions.find(APP, recent).id()).isEqualTo(recent);
            assertThat(sessions.purgeStale(Duration.ofHours(24))).as("nothing more to purge").isZero();
        } finally {
            vertx.close().await();
        }
    }
}
