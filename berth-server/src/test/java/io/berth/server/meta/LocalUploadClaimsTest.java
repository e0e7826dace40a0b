package io.berth.server.meta;

import static org.assertj.core.api.Assertions.assertThat;

import io.berth.oci.Repository;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Claims of a one-node database in memory: exclusive like the rows' claims, and a PATCH writes no row. */
class LocalUploadClaimsTest {
    private static final Duration TOUCH_PERIOD = Duration.ofMinutes(1);
    private static final Duration LEASE = Duration.ofSeconds(30);
    private static final Instant T0 = Instant.parse("2026-12-07T12:00:00Z");

    @TempDir
    Path directory;
    private Database database;
    private LocalUploadClaims uploads;
    private final UUID id = UUID.randomUUID();

    @BeforeEach
    void open() {
        database = Database.open(new DatabaseConfig("jdbc:sqlite:" + directory.resolve("berth.db"), null, null, 4));
        uploads = new LocalUploadClaims(new JdbcUploadIndex(database), TOUCH_PERIOD);
        uploads.create(new UploadIndex.Upload(id, Repository.of("app"), T0));
    }

    @AfterEach
    void close() {
        database.close();
    }

    @Test
    void aClaimIsExclusiveUntilItsHolderReleasesItOrItLapses() {
        assertThat(uploads.claim(id, "a", T0, T0.plus(LEASE))).isTrue();
        assertThat(uploads.claim(id, "b", T0.plusSeconds(1), T0.plusSeconds(1).plus(LEASE))).isFalse();
        uploads.release(id, "b", T0.plusSeconds(2), Optional.empty());
        assertThat(uploads.claim(id, "b", T0.plusSeconds(3), T0.plusSeconds(3).plus(LEASE)))
                .as("a release by another holder ends nothing").isFalse();
        assertThat(uploads.renew(id, "b", T0.plusSeconds(3), T0.plusSeconds(3).plus(LEASE))).isFalse();
        assertThat(uploads.renew(id, "a", T0.plusSeconds(4), T0.plusSeconds(4).plus(LEASE))).isTrue();
        uploads.release(id, "a", T0.plusSeconds(5), Optional.empty());
        assertThat(uploads.claim(id, "b", T0.plusSeconds(6), T0.plusSeconds(6).plus(LEASE))).isTrue();

        Instant lapsed = T0.plusSeconds(6).plus(LEASE);
        assertThat(uploads.claim(id, "c", lapsed, lapsed.plus(LEASE))).as("b's claim lapsed (its node hung)").isTrue();
        assertThat(uploads.renew(id, "b", lapsed, lapsed.plus(LEASE))).isFalse();
    }

    @Test
    void patchesWithinATouchPeriodWriteNothingAndTheRowIsTouchedOncePerPeriod() {
        long commits = database.groupCommits().orElseThrow();
        Instant now = T0;
        for (int patch = 0; patch < 20; patch++, now = now.plusSeconds(2)) {
            assertThat(uploads.claim(id, "p" + patch, now, now.plus(LEASE))).isTrue();
            uploads.release(id, "p" + patch, now.plusSeconds(1), Optional.empty());
        }
        assertThat(database.groupCommits().orElseThrow()).as("20 PATCHes in 40 s").isEqualTo(commits);
        assertThat(uploads.upload(id).orElseThrow().touchedAt()).isEqualTo(T0);

        Instant later = T0.plus(TOUCH_PERIOD).plusSeconds(1);
        assertThat(uploads.claim(id, "q", later, later.plus(LEASE))).isTrue();
        uploads.release(id, "q", later.plusSeconds(1), Optional.empty());
        assertThat(database.groupCommits().orElseThrow()).isEqualTo(commits + 1);
        assertThat(uploads.upload(id).orElseThrow().touchedAt()).isEqualTo(later);
        assertThat(uploads.savedHash(id)).as("the hash stays in the node's memory").isEmpty();
    }

    @Test
    void anEndedSessionCannotBeClaimed() {
        uploads.delete(id);
        assertThat(uploads.claim(id, "a", T0, T0.plus(LEASE))).isFalse();

        UUID expired = UUID.randomUUID();
        uploads.create(new UploadIndex.Upload(expired, Repository.of("app"), T0));
        assertThat(uploads.deleteIfUntouchedSince(expired, T0.plusSeconds(1))).isTrue();
        assertThat(uploads.claim(expired, "a", T0.plusSeconds(2), T0.plusSeconds(2).plus(LEASE))).isFalse();
    }
}
