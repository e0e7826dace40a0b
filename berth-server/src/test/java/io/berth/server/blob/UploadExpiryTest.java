package io.berth.server.blob;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.berth.oci.ErrorCode;
import io.berth.oci.RegistryException;
import io.berth.oci.Repository;
import io.berth.server.meta.Database;
import io.berth.server.meta.DatabaseConfig;
import io.berth.server.meta.JdbcBlobIndex;
import io.berth.server.meta.JdbcUploadIndex;
import io.berth.server.testing.TestDatabases;
import io.vertx.core.Vertx;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Upload expiry on a clock the test turns: sessions that no request touched for {@code uploads.expireAfter} go with
 * their bytes, sessions that requests keep touching stay however old they are, a session a request is streaming into
 * stays, upload files without a session go once a minute old (the leftovers of failed starts and finishes, which
 * the next sweep finds), and a later request for an expired session is
 * {@code BLOB_UPLOAD_UNKNOWN}. On SQLite and on PostgreSQL.
 */
class UploadExpiryTest {
    private static final Repository APP = Repository.of("expiry/app");
    private static final Duration EXPIRE_AFTER = Duration.ofHours(1);

    @TempDir
    Path root;
    private final AtomicLong now = new AtomicLong(Instant.now().toEpochMilli());
    private final Clock clock = new Clock() {
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
    private Vertx vertx;
    private Database database;
    private TestDatabases.PostgresSchema schema;
    private FilesystemBlobStore store;
    private UploadSessions sessions;

    private void open(String kind) {
        DatabaseConfig config;
        if (kind.equals("postgresql")) {
            schema = TestDatabases.postgresSchema();
            config = schema.config();
        } else {
            config = TestDatabases.sqlite(root);
        }
        vertx = Vertx.vertx();
        database = Database.open(config);
        store = new FilesystemBlobStore(vertx, root);
        sessions = new UploadSessions(vertx, store, new JdbcUploadIndex(database), new JdbcBlobIndex(database), clock,
                new UploadsConfig(EXPIRE_AFTER));
    }

    @AfterEach
    void close() {
        if (database != null) {
            database.close();
        }
        if (schema != null) {
            schema.close();
        }
        if (vertx != null) {
            vertx.close().await();
        }
    }

    private void advance(Duration duration) {
        now.addAndGet(duration.toMillis());
    }

    @ParameterizedTest
    @ValueSource(strings = {"sqlite", "postgresql"})
    void idleSessionsGoWithTheirBytesWhileTouchedOnesStayHoweverOld(String kind) throws Exception {
        open(kind);
        UUID idle = sessions.start(APP).id();
        Files.write(store.uploadPath(idle), new byte[1024]);
        UUID active = sessions.start(APP).id();
        Files.write(store.uploadPath(active), new byte[10]);
        for (int i = 0; i < 4; i++) { // 2 h in all, the active session touched every half hour
            advance(Duration.ofMinutes(30));
            sessions.find(APP, active);
        }

        UploadSessions.Expiry expiry = sessions.expire();

        assertThat(expiry).isEqualTo(new UploadSessions.Expiry(1, 0, 1024));
        assertThat(store.uploadPath(idle)).doesNotExist();
        assertThat(store.uploadPath(active)).hasSize(10);
        assertThat(sessions.find(APP, active).id()).isEqualTo(active);
        assertUnknown(() -> sessions.find(APP, idle));
        assertUnknown(() -> sessions.claim(APP, idle));
        assertUnknown(() -> sessions.cancel(APP, idle));
        assertThat(sessions.expire()).as("nothing more").isEqualTo(new UploadSessions.Expiry(0, 0, 0));
        assertThat(sessions.counts().expired()).isEqualTo(1);
        assertThat(sessions.counts().expiredBytes()).isEqualTo(1024);
        assertThat(sessions.open()).isEqualTo(1);

        advance(EXPIRE_AFTER.plusSeconds(1));
        assertThat(sessions.expire().sessions()).as("untouched for the expiry now").isEqualTo(1);
        assertUnknown(() -> sessions.find(APP, active));
    }

    @ParameterizedTest
    @ValueSource(strings = {"sqlite", "postgresql"})
    void aSessionARequestIsWritingToStaysAndCountsAsTouchedWhenItsRequestEnds(String kind) {
        open(kind);
        UUID streaming = sessions.start(APP).id();
        advance(EXPIRE_AFTER.minusMinutes(1));
        UploadSessions.Progress claim = sessions.claim(APP, streaming); // a PATCH starts, and streams for long
        advance(EXPIRE_AFTER.multipliedBy(3));

        assertThat(sessions.expire().sessions()).as("claimed here: left alone").isZero();
        sessions.release(claim);
        assertThat(sessions.expire().sessions()).as("released: touched when its request ended").isZero();
        advance(EXPIRE_AFTER.plusSeconds(1));
        assertThat(sessions.expire().sessions()).as("idle since its release").isEqualTo(1);
        assertThat(store.uploadPath(streaming)).doesNotExist();
    }

    @ParameterizedTest
    @ValueSource(strings = {"sqlite", "postgresql"})
    void uploadFilesWithoutASessionGoOnceAMinuteOld(String kind) throws Exception {
        open(kind);
        UUID withSession = sessions.start(APP).id();
        Path oldOrphan = orphan(Duration.ofMinutes(2), 2048);
        Path youngOrphan = orphan(Duration.ofSeconds(20), 100);
        Path notAnUpload = Files.writeString(root.resolve("uploads").resolve("README"), "not a session id");
        Files.setLastModifiedTime(notAnUpload, FileTime.from(clock.instant().minus(Duration.ofDays(30))));
        Files.setLastModifiedTime(store.uploadPath(withSession), FileTime.from(clock.instant().minus(Duration.ofDays(30))));

        UploadSessions.Expiry expiry = sessions.expire();

        assertThat(expiry).isEqualTo(new UploadSessions.Expiry(0, 1, 2048));
        assertThat(oldOrphan).doesNotExist();
        assertThat(youngOrphan).as("may be a start whose row is being written").exists();
        assertThat(notAnUpload).exists();
        assertThat(store.uploadPath(withSession)).as("its session was touched recently").exists();
        assertThat(sessions.counts().orphanFiles()).isEqualTo(1);
    }

    /** A start that created its file but could not write its row takes the file away again. */
    @Test
    void aStartWhoseRowCannotBeWrittenLeavesNoFile() throws Exception {
        open("sqlite");
        database.close();

        assertThatThrownBy(() -> sessions.start(APP)).isInstanceOf(RuntimeException.class);
        try (var files = Files.list(root.resolve("uploads"))) {
            assertThat(files).isEmpty();
        }
        database = null;
    }

    private Path orphan(Duration age, int size) throws Exception {
        Path file = root.resolve("uploads").resolve(UUID.randomUUID().toString());
        Files.write(file, new byte[size]);
        Files.setLastModifiedTime(file, FileTime.from(clock.instant().minus(age)));
        return file;
    }

    private static void assertUnknown(org.assertj.core.api.ThrowableAssert.ThrowingCallable call) {
        assertThatThrownBy(call).isInstanceOfSatisfying(RegistryException.class,
                e -> assertThat(e.code()).isEqualTo(ErrorCode.BLOB_UPLOAD_UNKNOWN));
    }
}
