package io.berth.server.api;

import static io.berth.server.api.RegistryHttp.OCI_MANIFEST;
import static io.berth.server.api.RegistryHttp.body;
import static io.berth.server.api.RegistryHttp.json;
import static io.berth.server.api.RegistryHttp.sha256;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.berth.server.api.RegistryHttp.Descriptor;
import io.berth.server.gc.GcConfig;
import io.berth.server.meta.CollectionLease;
import io.berth.server.meta.CollectionRuns;
import io.berth.server.meta.Database;
import io.berth.server.meta.DatabaseConfig;
import io.berth.server.testing.BerthFixture;
import io.berth.server.testing.TestDatabases;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Online garbage collection through the admin API of a real server: what it deletes and keeps, dry runs, repair of
 * what a crash or a hand left behind, the lease, pausing, and the race between collections and pushes.
 */
class GarbageCollectionTest {
    private static final GcConfig NO_GRACE = new GcConfig(Duration.ZERO, Duration.ZERO);
    private static final GcConfig HOUR_GRACE = new GcConfig(Duration.ZERO, Duration.ofHours(1));

    @TempDir
    Path dataDir;

    private BerthFixture start(GcConfig gc) {
        return BerthFixture.start(dataDir, config -> config.withGc(gc));
    }

    private BerthFixture start(GcConfig gc, DatabaseConfig database) {
        return BerthFixture.start(dataDir, config -> config.withGc(gc).withDatabase(database));
    }

    static JsonNode collect(RegistryHttp http, boolean dryRun) {
        HttpResponse<byte[]> response = http.post("/api/v1/admin/gc" + (dryRun ? "?dryRun=true" : ""));
        assertThat(response.statusCode()).as(body(response)).isEqualTo(200);
        JsonNode report = json(response);
        assertThat(report.get("status").asText()).as(report.toString()).isEqualTo("done");
        return report;
    }

    private Path blobFile(String digest) {
        String hex = digest.substring("sha256:".length());
        return dataDir.resolve("blobs").resolve("sha256").resolve(hex.substring(0, 2)).resolve(hex);
    }

    @Test
    void aRunDeletesExactlyTheUnreferencedBlobsAndADryRunBeforeItReportsTheSameAndDeletesNothing() {
        try (BerthFixture registry = start(NO_GRACE)) {
            sweepsExactlyTheGarbage(new RegistryHttp(registry.baseUri()));
        }
    }

    @Test
    void theSameOnPostgresql() {
        try (TestDatabases.PostgresSchema schema = TestDatabases.postgresSchema();
             BerthFixture registry = start(NO_GRACE, schema.config())) {
            sweepsExactlyTheGarbage(new RegistryHttp(registry.baseUri()));
        }
    }

    private void sweepsExactlyTheGarbage(RegistryHttp http) {
        RegistryHttp.ImageManifest kept = http.imageWithBlobs("gc/app");
        http.pushManifest("gc/app", "v1", OCI_MANIFEST, kept.json());
        Descriptor loose = http.pushBlob("gc/app", RegistryHttp.randomBytes(1000));
        RegistryHttp.ImageManifest dropped = http.imageWithBlobs("gc/app");
        Descriptor droppedManifest = http.pushManifest("gc/app", "v2", OCI_MANIFEST, dropped.json());
        assertThat(http.delete("/v2/gc/app/manifests/" + droppedManifest.digest()).statusCode()).isEqualTo(202);
        List<Descriptor> garbage = new ArrayList<>(List.of(loose));
        dropped.tree().get("layers").forEach(l -> garbage.add(descriptor(l)));
        garbage.add(descriptor(dropped.tree().get("config")));
        List<Descriptor> referenced = new ArrayList<>();
        kept.tree().get("layers").forEach(l -> referenced.add(descriptor(l)));
        referenced.add(descriptor(kept.tree().get("config")));
        long garbageBytes = garbage.stream().mapToLong(Descriptor::size).sum();

        JsonNode dry = collect(http, true);
        assertThat(dry.get("dryRun").asBoolean()).isTrue();
        assertThat(dry.get("blobsExamined").asLong()).isEqualTo(5);
        assertThat(dry.get("blobsDeleted").asLong()).isEqualTo(3);
        assertThat(dry.get("bytesFreed").asLong()).isEqualTo(garbageBytes);
        assertThat(dry.get("linksDeleted").asLong()).isEqualTo(3);
        for (Descriptor blob : garbage) {
            assertThat(http.get("/v2/gc/app/blobs/" + blob.digest()).statusCode()).isEqualTo(200);
        }

        JsonNode real = collect(http, false);
        assertThat(real.get("dryRun").asBoolean()).isFalse();
        for (String field : List.of("blobsExamined", "blobsDeleted", "bytesFreed", "linksDeleted",
                "orphanFilesDeleted", "missingFiles")) {
            assertThat(real.get(field)).as(field).isEqualTo(dry.get(field));
        }
        assertThat(real.get("phases")).extracting(p -> p.get("name").asText())
                .containsExactly("mark", "sweep", "repair");
        for (Descriptor blob : garbage) {
            assertThat(http.get("/v2/gc/app/blobs/" + blob.digest()).statusCode()).isEqualTo(404);
            assertThat(blobFile(blob.digest())).doesNotExist();
        }
        assertThat(http.getManifest("gc/app", "v1").statusCode()).isEqualTo(200);
        for (Descriptor blob : referenced) {
            HttpResponse<byte[]> pulled = http.get("/v2/gc/app/blobs/" + blob.digest());
            assertThat(pulled.statusCode()).isEqualTo(200);
            assertThat(sha256(pulled.body())).isEqualTo(blob.digest());
        }

        JsonNode again = collect(http, false);
        assertThat(again.get("blobsExamined").asLong()).isEqualTo(2);
        assertThat(again.get("blobsDeleted").asLong()).isZero();

        JsonNode runs = json(http.get("/api/v1/admin/gc"));
        assertThat(runs.get("paused").asBoolean()).isFalse();
        assertThat(runs.get("runs")).extracting(r -> r.get("id").asLong())
                .containsExactly(again.get("id").asLong(), real.get("id").asLong(), dry.get("id").asLong());
        JsonNode newest = runs.get("runs").get(0);
        assertThat(newest.get("finishedAt").asText()).isNotEmpty();
        assertThat(Instant.parse(newest.get("startedAt").asText())).isBefore(Instant.now().plusSeconds(1));
        assertThat(newest.get("error").isNull()).isTrue();
    }

    @Test
    void youngBlobsAndBlobsCheckedWithinTheGracePeriodAreKept() throws SQLException {
        try (BerthFixture registry = start(HOUR_GRACE)) {
            RegistryHttp http = new RegistryHttp(registry.baseUri());
            Descriptor young = http.pushBlob("gc/young", RegistryHttp.randomBytes(100));
            Descriptor old = http.pushBlob("gc/young", RegistryHttp.randomBytes(100));
            Descriptor oldButChecked = http.pushBlob("gc/young", RegistryHttp.randomBytes(100));
            Descriptor oldButMounted = http.pushBlob("gc/young", RegistryHttp.randomBytes(100));
            for (Descriptor blob : List.of(old, oldButChecked, oldButMounted)) {
                age(blob.digest());
            }
            assertThat(http.head("/v2/gc/young/blobs/" + oldButChecked.digest()).statusCode()).isEqualTo(200);
            assertThat(http.post("/v2/gc/other/blobs/uploads/?mount=" + oldButMounted.digest() + "&from=gc/young")
                    .statusCode()).isEqualTo(201);

            JsonNode report = collect(http, false);

            assertThat(report.get("blobsDeleted").asLong()).isEqualTo(1);
            assertThat(http.get("/v2/gc/young/blobs/" + old.digest()).statusCode()).isEqualTo(404);
            for (Descriptor kept : List.of(young, oldButChecked, oldButMounted)) {
                assertThat(http.get("/v2/gc/young/blobs/" + kept.digest()).statusCode()).isEqualTo(200);
            }
            assertThat(http.get("/v2/gc/other/blobs/" + oldButMounted.digest()).statusCode()).isEqualTo(200);
        }
    }

    @Test
    void aRepositoryLinkThatNothingInItsRepositoryReferencesGoesAfterTheGracePeriod() throws SQLException {
        try (BerthFixture registry = start(HOUR_GRACE)) {
            RegistryHttp http = new RegistryHttp(registry.baseUri());
            RegistryHttp.ImageManifest image = http.imageWithBlobs("gc/links");
            http.pushManifest("gc/links", "v1", OCI_MANIFEST, image.json());
            Descriptor layer = descriptor(image.tree().get("layers").get(0));
            assertThat(http.post("/v2/gc/mounted/blobs/uploads/?mount=" + layer.digest() + "&from=gc/links")
                    .statusCode()).isEqualTo(201);
            age(layer.digest());

            JsonNode report = collect(http, false);

            assertThat(report.get("blobsDeleted").asLong()).isZero();
            assertThat(report.get("linksDeleted").asLong()).isEqualTo(1);
            assertThat(http.get("/v2/gc/mounted/blobs/" + layer.digest()).statusCode()).isEqualTo(404);
            assertThat(http.get("/v2/gc/links/blobs/" + layer.digest()).statusCode()).isEqualTo(200);
        }
    }

    @Test
    void theNextRunRepairsOrphanFilesRowsWithoutFilesAndInterruptedDeletions() throws Exception {
        try (BerthFixture registry = start(NO_GRACE)) {
            RegistryHttp http = new RegistryHttp(registry.baseUri());
            byte[] orphanContent = RegistryHttp.randomBytes(300);
            Path orphan = blobFile(sha256(orphanContent));
            Files.createDirectories(orphan.getParent());
            Files.write(orphan, orphanContent);
            Files.setLastModifiedTime(orphan, FileTime.from(Instant.now().minusSeconds(60)));
            Descriptor lostFile = http.pushBlob("gc/repair", RegistryHttp.randomBytes(200));
            Files.delete(blobFile(lostFile.digest()));
            RegistryHttp.ImageManifest image = http.imageWithBlobs("gc/repair");
            http.pushManifest("gc/repair", "v1", OCI_MANIFEST, image.json());
            Descriptor referencedLostFile = descriptor(image.tree().get("layers").get(0));
            Files.delete(blobFile(referencedLostFile.digest()));
            Descriptor interrupted = http.pushBlob("gc/repair", RegistryHttp.randomBytes(400));
            sql("UPDATE blobs SET state = 'deleting' WHERE digest = ?", interrupted.digest());
            assertThat(http.get("/v2/gc/repair/blobs/" + interrupted.digest()).statusCode())
                    .as("a blob marked for deletion is unknown").isEqualTo(404);

            JsonNode report = collect(http, false);

            assertThat(report.get("orphanFilesDeleted").asLong()).isEqualTo(1);
            assertThat(orphan).doesNotExist();
            assertThat(report.get("missingFiles").asLong()).isEqualTo(1);
            assertThat(report.get("blobsDeleted").asLong()).isEqualTo(2);
            assertThat(report.get("bytesFreed").asLong()).isEqualTo(300 + 400);
            assertThat(blobFile(interrupted.digest())).doesNotExist();
            assertThat(http.head("/v2/gc/repair/blobs/" + lostFile.digest()).statusCode()).isEqualTo(404);
            // A referenced row is never deleted, its file missing or not (the update finds it); HEAD answers 404 as GET
            // does while the file is missing, so that clients push the bytes again.
            sql("UPDATE blobs SET size = size WHERE digest = ?", referencedLostFile.digest());
            assertThat(http.head("/v2/gc/repair/blobs/" + referencedLostFile.digest()).statusCode()).isEqualTo(404);
            assertThat(http.getManifest("gc/repair", "v1").statusCode()).isEqualTo(200);
        }
    }

    @Test
    void anUploadOfABlobMarkedForDeletionFinishesTheDeletionAndKeepsItsOwnBytes() throws SQLException {
        try (BerthFixture registry = start(HOUR_GRACE)) {
            RegistryHttp http = new RegistryHttp(registry.baseUri());
            byte[] content = RegistryHttp.randomBytes(500);
            Descriptor blob = http.pushBlob("gc/again", content);
            sql("UPDATE blobs SET state = 'deleting' WHERE digest = ?", blob.digest());
            sql("DELETE FROM repository_blobs WHERE digest = ?", blob.digest());

            http.pushBlob("gc/again", content);

            assertThat(http.get("/v2/gc/again/blobs/" + blob.digest()).body()).isEqualTo(content);
            collect(http, false);
            HttpResponse<byte[]> pulled = http.get("/v2/gc/again/blobs/" + blob.digest());
            assertThat(pulled.statusCode()).isEqualTo(200);
            assertThat(pulled.body()).isEqualTo(content);
        }
    }

    @Test
    void oneCollectionAtATimeAcrossNodesAndAnExpiredLeaseIsTakenOver() throws Exception {
        try (BerthFixture registry = start(NO_GRACE);
             Database database = Database.open(TestDatabases.sqlite(dataDir))) {
            RegistryHttp http = new RegistryHttp(registry.baseUri());
            CollectionLease otherNode = new CollectionLease(database, Clock.systemUTC());
            assertThat(otherNode.acquire("other-node", Duration.ofMinutes(1)))
                    .isInstanceOf(CollectionLease.Acquired.class);

            HttpResponse<byte[]> refused = http.post("/api/v1/admin/gc");
            RegistryHttp.assertError(refused, 409, "UNSUPPORTED");
            assertThat(body(refused)).contains("other-node");

            otherNode.release("other-node");
            assertThat(otherNode.acquire("dead-node", Duration.ofMillis(1)))
                    .isInstanceOf(CollectionLease.Acquired.class);
            long abandoned = new CollectionRuns(database).start("dead-node", false, Instant.now());
            Thread.sleep(20);

            JsonNode report = collect(http, false);

            assertThat(report.get("id").asLong()).isGreaterThan(abandoned);
            JsonNode dead = json(http.get("/api/v1/admin/gc")).get("runs").get(1);
            assertThat(dead.get("id").asLong()).isEqualTo(abandoned);
            assertThat(dead.get("status").asText()).isEqualTo("failed");
            assertThat(dead.get("error").asText()).contains("stopped before it finished");
            assertThat(otherNode.acquire("other-node", Duration.ofMinutes(1)))
                    .as("the run released the lease").isInstanceOf(CollectionLease.Acquired.class);
        }
    }

    @Test
    void twoServersOnOneDatabaseNeverCollectAtTheSameTime() throws Exception {
        try (BerthFixture first = start(NO_GRACE);
             BerthFixture second = start(NO_GRACE)) {
            RegistryHttp one = new RegistryHttp(first.baseUri());
            RegistryHttp two = new RegistryHttp(second.baseUri());
            for (int i = 0; i < 300; i++) {
                one.pushBlob("gc/nodes", RegistryHttp.randomBytes(64));
            }
            List<Integer> statuses = java.util.Collections.synchronizedList(new ArrayList<>());
            Thread[] threads = new Thread[4];
            for (int t = 0; t < threads.length; t++) {
                RegistryHttp http = t % 2 == 0 ? one : two;
                threads[t] = new Thread(() -> {
                    for (int i = 0; i < 5; i++) {
                        HttpResponse<byte[]> response = http.post("/api/v1/admin/gc?dryRun=true");
                        statuses.add(response.statusCode());
                        if (response.statusCode() != 200) {
                            RegistryHttp.assertError(response, 409, "UNSUPPORTED");
                        }
                    }
                });
                threads[t].start();
            }
            for (Thread thread : threads) {
                thread.join();
            }
            assertThat(statuses).hasSize(20).contains(200).allMatch(s -> s == 200 || s == 409);
            JsonNode runs = json(one.get("/api/v1/admin/gc")).get("runs");
            List<long[]> spans = new ArrayList<>();
            runs.forEach(run -> spans.add(new long[] {Instant.parse(run.get("startedAt").asText()).toEpochMilli(),
                    Instant.parse(run.get("finishedAt").asText()).toEpochMilli()}));
            for (int a = 0; a < spans.size(); a++) {
                for (int b = a + 1; b < spans.size(); b++) {
                    assertThat(spans.get(a)[0] > spans.get(b)[1] || spans.get(b)[0] > spans.get(a)[1]
                            || spans.get(a)[0] == spans.get(b)[1] || spans.get(b)[0] == spans.get(a)[1])
                            .as("runs %s and %s overlap", runs.get(a), runs.get(b)).isTrue();
                }
            }
        }
    }

    @Test
    void aPausedRegistryRefusesToCollectUntilResumed() {
        try (BerthFixture registry = start(NO_GRACE)) {
            RegistryHttp http = new RegistryHttp(registry.baseUri());
            assertThat(json(http.post("/api/v1/admin/gc/pause")).get("paused").asBoolean()).isTrue();
            RegistryHttp.assertError(http.post("/api/v1/admin/gc"), 409, "UNSUPPORTED");
            assertThat(json(http.get("/api/v1/admin/gc")).get("paused").asBoolean()).isTrue();
            assertThat(json(http.post("/api/v1/admin/gc/resume")).get("paused").asBoolean()).isFalse();
            collect(http, false);
            RegistryHttp.assertError(http.post("/api/v1/admin/gc?dryRun=maybe"), 400, "UNSUPPORTED");
        }
    }

    @Test
    void pushesRacingCollectionsNeverLeaveAManifestWithAMissingBlobOnSqlite() throws Exception {
        try (BerthFixture registry = start(NO_GRACE)) {
            race(new RegistryHttp(registry.baseUri()), Duration.ofSeconds(12));
        }
    }

    @Test
    void pushesRacingCollectionsNeverLeaveAManifestWithAMissingBlobOnPostgresql() throws Exception {
        try (TestDatabases.PostgresSchema schema = TestDatabases.postgresSchema();
             BerthFixture registry = start(NO_GRACE, schema.config())) {
            race(new RegistryHttp(registry.baseUri()), Duration.ofSeconds(12));
        }
    }

    /**
     * With no grace period, pushers upload (or HEAD, or mount) blobs, some shared between pushers, and then push
     * manifests over them while a collector runs back to back and a deleter deletes acknowledged manifests. Every
     * acknowledged manifest that was not deleted must stay completely pullable with the right bytes; every refused push
     * must have been refused with {@code MANIFEST_BLOB_UNKNOWN}; the blobs of deleted manifests that no kept manifest
     * shares are gone after a last run.
     */
    static void race(RegistryHttp http, Duration length) throws Exception {
        byte[] sharedContent = RegistryHttp.randomBytes(256);
        Descriptor shared = http.pushBlob("race/source", sharedContent);
        record Pushed(String repository, String reference, List<Descriptor> blobs) {
        }
        List<Pushed> acknowledged = java.util.Collections.synchronizedList(new ArrayList<>());
        List<String> refusals = java.util.Collections.synchronizedList(new ArrayList<>());
        List<Throwable> failures = java.util.Collections.synchronizedList(new ArrayList<>());
        AtomicBoolean stop = new AtomicBoolean();
        long[] collections = new long[2];
        Thread collector = new Thread(() -> {
            try {
                while (!stop.get()) {
                    JsonNode report = collect(http, false);
                    collections[0]++;
                    collections[1] += report.get("blobsDeleted").asLong();
                }
            } catch (Throwable e) {
                failures.add(e);
            }
        });
        List<Thread> pushers = new ArrayList<>();
        for (int p = 0; p < 3; p++) {
            int pusher = p;
            pushers.add(new Thread(() -> {
                try {
                    for (int i = 0; !stop.get(); i++) {
                        String repository = "race/p" + pusher;
                        Descriptor config = http.pushBlob(repository, RegistryHttp.OCI_CONFIG,
                                ("{\"n\":" + i + "}").getBytes(java.nio.charset.StandardCharsets.UTF_8));
                        Descriptor layer = switch (i % 3) {
                            case 0 -> http.pushBlob(repository, RegistryHttp.randomBytes(128));
                            case 1 -> {
                                // Learns that the shared blob exists, as clients do before skipping an upload.
                                if (http.head("/v2/race/source/blobs/" + shared.digest()).statusCode() != 200) {
                                    http.pushBlob("race/source", sharedContent);
                                }
                                http.post("/v2/" + repository + "/blobs/uploads/?mount="
                                        + shared.digest() + "&from=race/source");
                                yield shared;
                            }
                            default -> {
                                Descriptor known = http.pushBlob(repository, RegistryHttp.randomBytes(96));
                                http.head("/v2/" + repository + "/blobs/" + known.digest());
                                yield known;
                            }
                        };
                        String reference = "t" + i;
                        HttpResponse<byte[]> put = http.putManifest(repository, reference, OCI_MANIFEST,
                                RegistryHttp.ImageManifest.of(config).layer(layer).json());
                        if (put.statusCode() == 201) {
                            acknowledged.add(new Pushed(repository, reference, List.of(config, layer)));
                        } else {
                            refusals.add(put.statusCode() + " " + RegistryHttp.errorCode(put));
                        }
                    }
                } catch (Throwable e) {
                    failures.add(e);
                }
            }));
        }
        List<Pushed> deleted = java.util.Collections.synchronizedList(new ArrayList<>());
        Thread deleter = new Thread(() -> {
            java.util.Random random = new java.util.Random(18);
            try {
                while (!stop.get()) {
                    Thread.sleep(150);
                    Pushed victim;
                    synchronized (acknowledged) {
                        if (acknowledged.size() < 4) {
                            continue;
                        }
                        victim = acknowledged.remove(random.nextInt(acknowledged.size()));
                    }
                    deleted.add(victim);
                    HttpResponse<byte[]> delete = http.delete("/v2/" + victim.repository() + "/manifests/"
                            + sha256(RegistryHttp.ImageManifest.of(victim.blobs().get(0)).layer(victim.blobs().get(1))
                            .json()));
                    assertThat(delete.statusCode()).as(body(delete)).isEqualTo(202);
                }
            } catch (Throwable e) {
                failures.add(e);
            }
        });
        collector.start();
        deleter.start();
        pushers.forEach(Thread::start);
        Thread.sleep(length.toMillis());
        stop.set(true);
        for (Thread pusher : pushers) {
            pusher.join();
        }
        collector.join();
        deleter.join();
        assertThat(failures).isEmpty();
        assertThat(refusals).allMatch(r -> r.equals("400 MANIFEST_BLOB_UNKNOWN"), "only MANIFEST_BLOB_UNKNOWN");
        assertThat(acknowledged).isNotEmpty();
        assertThat(collections[0]).isGreaterThan(1);
        JsonNode last = collect(http, false);
        for (Pushed pushed : acknowledged) {
            assertThat(http.getManifest(pushed.repository(), pushed.reference()).statusCode()).isEqualTo(200);
            for (Descriptor blob : pushed.blobs()) {
                HttpResponse<byte[]> pulled = http.get("/v2/" + pushed.repository() + "/blobs/" + blob.digest());
                assertThat(pulled.statusCode()).as("%s in %s:%s", blob.digest(), pushed.repository(), pushed.reference())
                        .isEqualTo(200);
                assertThat(sha256(pulled.body())).isEqualTo(blob.digest());
            }
        }
        assertThat(last.get("missingFiles").asLong()).isZero();
        // The bytes of deleted content are gone: the blobs of deleted manifests that no kept manifest shares.
        java.util.Set<String> stillReferenced = new java.util.HashSet<>();
        acknowledged.forEach(p -> p.blobs().forEach(b -> stillReferenced.add(b.digest())));
        int gone = 0;
        for (Pushed victim : deleted) {
            for (Descriptor blob : victim.blobs()) {
                if (!stillReferenced.contains(blob.digest())) {
                    assertThat(http.head("/v2/" + victim.repository() + "/blobs/" + blob.digest()).statusCode())
                            .as("blob %s of deleted manifest %s:%s", blob.digest(), victim.repository(),
                                    victim.reference()).isEqualTo(404);
                    gone++;
                }
            }
        }
        assertThat(deleted).isNotEmpty();
        System.out.printf("race: %d manifests acknowledged and kept, %d deleted (%d of their blobs checked gone), %d"
                + " refused with MANIFEST_BLOB_UNKNOWN, %d collections deleted %d blobs%n", acknowledged.size(),
                deleted.size(), gone, refusals.size(), collections[0], collections[1]);
    }

    private static Descriptor descriptor(JsonNode node) {
        return new Descriptor(node.get("mediaType").asText(), node.get("digest").asText(), node.get("size").asLong());
    }

    /** Makes a blob and its links look untouched for a day. */
    private void age(String digest) throws SQLException {
        long dayAgo = Instant.now().minus(Duration.ofDays(1)).toEpochMilli();
        sql("UPDATE blobs SET touched_at = " + dayAgo + " WHERE digest = ?", digest);
        sql("UPDATE repository_blobs SET created_at = " + dayAgo + " WHERE digest = ?", digest);
    }

    private void sql(String statement, String digest) throws SQLException {
        try (Connection connection = DriverManager.getConnection("jdbc:sqlite:" + dataDir.resolve("berth.db"));
             PreparedStatement prepared = connection.prepareStatement(statement)) {
            connection.createStatement().execute("PRAGMA busy_timeout = 10000");
            prepared.setString(1, digest);
            assertThat(prepared.executeUpdate()).as(statement).isPositive();
        }
    }
}
