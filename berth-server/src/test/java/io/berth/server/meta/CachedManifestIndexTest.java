package io.berth.server.meta;

import static org.assertj.core.api.Assertions.assertThat;

import io.berth.oci.Reference;
import io.berth.oci.Repository;
import io.berth.server.meta.DatabaseConfig;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The manifest cache answers hot reads from memory, never serves what a write through it changed, and expires. */
class CachedManifestIndexTest {
    private static final Repository APP = Repository.of("cache/app");
    private static final Reference.Tag LATEST = new Reference.Tag("latest");

    @TempDir
    Path directory;
    Database database;
    final AtomicLong now = new AtomicLong(1_000_000);
    CachedManifestIndex cache;

    @BeforeEach
    void open() {
        database = Database.open(new DatabaseConfig("jdbc:sqlite:" + directory.resolve("berth.db"), null, null, 4));
        Clock clock = new Clock() {
            @Override
            public ZoneOffset getZone() {
                return ZoneOffset.UTC;
            }

            @Override
            public Clock withZone(java.time.ZoneId zone) {
                return this;
            }

            @Override
            public Instant instant() {
                return Instant.ofEpochMilli(now.get());
            }
        };
        cache = new CachedManifestIndex(new JdbcManifestIndex(database), clock, 1000, 60_000, 1 << 20);
    }

    @AfterEach
    void close() {
        database.close();
    }

    private StoredManifest push(String content) {
        StoredManifest manifest = JdbcMetadataContract.manifest(APP, content);
        cache.put(manifest, List.of(), List.of(), Optional.of(LATEST));
        return manifest;
    }

    @Test
    void aReadIsCachedAndAMovedTagIsNeverServedStale() {
        StoredManifest first = push("first");
        assertThat(cache.cached(APP, LATEST)).isEmpty();
        assertThat(cache.manifestByTag(APP, LATEST)).map(StoredManifest::digest).contains(first.digest());
        assertThat(cache.cached(APP, LATEST)).map(StoredManifest::digest).contains(first.digest());

        StoredManifest second = push("second");

        assertThat(cache.cached(APP, LATEST)).isEmpty();
        assertThat(cache.manifestByTag(APP, LATEST)).map(StoredManifest::digest).contains(second.digest());
    }

    @Test
    void deletesInvalidateAndEntriesExpire() {
        StoredManifest manifest = push("content");
        Reference byDigest = new Reference.ByDigest(manifest.digest());
        cache.manifest(APP, manifest.digest());
        cache.manifestByTag(APP, LATEST);

        now.addAndGet(1001);
        assertThat(cache.cached(APP, LATEST)).as("tag entries expire after 1 s").isEmpty();
        assertThat(cache.cached(APP, byDigest)).as("manifest entries live longer").isPresent();

        assertThat(cache.delete(APP, manifest.digest())).isTrue();
        assertThat(cache.cached(APP, byDigest)).isEmpty();
        assertThat(cache.manifest(APP, manifest.digest())).isEmpty();
    }

    @Test
    void theCacheStaysWithinItsByteBound() {
        CachedManifestIndex small = new CachedManifestIndex(new JdbcManifestIndex(database), Clock.systemUTC(), 1000, 60_000, 16 * 64);
        for (int i = 0; i < 100; i++) {
            StoredManifest manifest = JdbcMetadataContract.manifest(APP, String.format("%060d", i));
            small.put(manifest, List.of(), List.of(), Optional.empty());
            small.manifest(APP, manifest.digest());
        }
        int cached = 0;
        for (int i = 0; i < 100; i++) {
            StoredManifest manifest = JdbcMetadataContract.manifest(APP, String.format("%060d", i));
            if (small.cached(APP, new Reference.ByDigest(manifest.digest())).isPresent()) {
                cached++;
            }
        }
        assertThat(cached).isBetween(1, 99);
        assertThat(small.cached(APP, new Reference.ByDigest(JdbcMetadataContract.manifest(APP, String.format("%060d", 99)).digest()))).isPresent();
    }
}
