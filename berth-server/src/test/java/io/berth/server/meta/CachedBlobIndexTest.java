package io.berth.server.meta;

import static org.assertj.core.api.Assertions.assertThat;

import io.berth.oci.Digest;
import io.berth.oci.Repository;
import io.berth.server.meta.DatabaseConfig;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The blob-link cache answers only what it was told, forgets an unlink at once and expires. */
class CachedBlobIndexTest {
    private static final Repository APP = Repository.of("cache/blobs");
    private static final Digest BLOB = Digest.sha256("blob".getBytes(StandardCharsets.UTF_8));

    @TempDir
    Path directory;

    @Test
    void aLookedUpLinkIsAnsweredFromMemoryUntilUnlinkedOrExpired() {
        AtomicLong now = new AtomicLong(1_000);
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
        try (Database database = Database.open(new DatabaseConfig("jdbc:sqlite:" + directory.resolve("b.db"), null, null, 2))) {
            CachedBlobIndex index = new CachedBlobIndex(new JdbcBlobIndex(database), clock, 1000, 10);
            index.link(APP, BLOB, 4);
            assertThat(index.cachedLinkedBlobSize(APP, BLOB)).as("only what was looked up").isEmpty();

            assertThat(index.linkedBlobSize(APP, BLOB)).contains(4L);
            assertThat(index.cachedLinkedBlobSize(APP, BLOB)).contains(4L);

            now.addAndGet(1001);
            assertThat(index.cachedLinkedBlobSize(APP, BLOB)).as("expired").isEmpty();

            index.linkedBlobSize(APP, BLOB);
            assertThat(index.unlink(APP, BLOB)).isTrue();
            assertThat(index.cachedLinkedBlobSize(APP, BLOB)).as("forgotten on unlink").isEmpty();
            assertThat(index.linkedBlobSize(APP, BLOB)).isEmpty();
        }
    }
}
