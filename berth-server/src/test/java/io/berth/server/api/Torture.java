package io.berth.server.api;

import static io.berth.server.api.RegistryHttp.OCI_MANIFEST;
import static io.berth.server.api.RegistryHttp.sha256;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.berth.server.api.RegistryHttp.Descriptor;
import io.berth.server.api.TortureLedger.Image;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The garbage collection torture: {@link Actor}s run in loops, each on its own thread, against one registry for a
 * while — pushers of images that share layers across repositories, a deleter of manifests and tags, a puller, the
 * collector — and record in a {@link TortureLedger} what the registry acknowledged. Then {@link #verify} checks,
 * after one last collection past the grace period: every acknowledged manifest that was not deleted is completely
 * pullable, manifest and blobs verifying against their digests; deleted manifests are gone; and the blob files on
 * disk and the storage usage are exactly the blobs of the manifests left.
 *
 * <p>The actors are a list ({@link #standardActors}); another one — retention, say — is added to it by the caller.
 * An actor that deletes content records it in the ledger ({@link TortureLedger#takeForDeletion} before it sends the
 * deletion, {@link TortureLedger#deleted} after the 202), so that the puller knows which 404 is allowed.
 *
 * <p>With {@code crashes} set, the server may die under any request: an exception of the transport is then no failure,
 * a push or delete without an answer is {@link TortureLedger#settle settled} after the run by asking the registry,
 * and actors wait while the server is down.
 */
final class Torture {
    /** One kind of client, called in a loop until the run ends. */
    interface Actor {
        String name();

        void step(Torture torture, Random random) throws Exception;
    }

    static final String[] REPOSITORIES = {"torture/a", "torture/b", "torture/c/nested", "torture/d"};
    /** The end of the tags that the retention policy of {@link TortureActors.Retention} deletes. */
    static final String EXPIRING = "-expiring";

    /** Whether a retention actor runs: the pushers then push some images with {@link #EXPIRING} tags. */
    volatile boolean retentionRuns;
    private static final int SHARED_LAYERS = 8;

    final RegistryHttp http;
    final Path dataDir;
    final Duration gracePeriod;
    /** How long {@link #verify} waits after the run before its last collection: the grace period, or more. */
    final Duration quiet;
    final boolean crashes;
    final TortureLedger ledger = new TortureLedger();
    /** Layers that every pusher draws from, in every repository: the content that the collector races for. */
    final List<byte[]> sharedLayers = new ArrayList<>();
    final List<String> failures = Collections.synchronizedList(new ArrayList<>());
    final List<String> refusals = Collections.synchronizedList(new ArrayList<>());
    final Map<String, AtomicLong> counters = new ConcurrentHashMap<>();
    private final AtomicBoolean stop = new AtomicBoolean();

    Torture(RegistryHttp http, Path dataDir, Duration gracePeriod, Duration quiet, boolean crashes) {
        this.http = http;
        this.dataDir = dataDir;
        this.gracePeriod = gracePeriod;
        this.quiet = quiet;
        this.crashes = crashes;
        Random random = new Random(18);
        for (int i = 0; i < SHARED_LAYERS; i++) {
            byte[] layer = new byte[2048 + 512 * i];
            random.nextBytes(layer);
            sharedLayers.add(layer);
        }
    }

    /** Three pushers, a deleter, a puller and the collector. */
    List<Actor> standardActors() {
        List<Actor> actors = new ArrayList<>();
        for (int p = 0; p < 3; p++) {
            actors.add(new TortureActors.Pusher(p));
        }
        actors.add(new TortureActors.Deleter());
        actors.add(new TortureActors.Puller());
        actors.add(new TortureActors.Collector());
        return actors;
    }

    void count(String what) {
        count(what, 1);
    }

    void count(String what, long n) {
        counters.computeIfAbsent(what, k -> new AtomicLong()).addAndGet(n);
    }

    long counted(String what) {
        AtomicLong counter = counters.get(what);
        return counter == null ? 0 : counter.get();
    }

    boolean stopped() {
        return stop.get();
    }

    /** Ends the run before its length is up (an actor that has done what it came for). */
    void stop() {
        stop.set(true);
    }

    /** Runs {@code actors} in loops for {@code length}, each on its own thread, then waits for their last steps. */
    void run(List<Actor> actors, Duration length) throws InterruptedException {
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < actors.size(); i++) {
            Actor actor = actors.get(i);
            Random random = new Random(1800 + i);
            Thread thread = new Thread(() -> {
                while (!stop.get()) {
                    try {
                        actor.step(this, random);
                    } catch (UncheckedIOException | IOException e) {
                        if (!crashes) {
                            failures.add(actor.name() + ": " + e);
                        } else {
                            if (counted("answers lost to a crash") == 0 || actor.name().equals("crasher")) {
                                System.out.println(actor.name() + ": " + e);
                            }
                            count("answers lost to a crash");
                            sleep(200); // the server is down or restarting: no use hammering it
                        }
                    } catch (Throwable e) {
                        failures.add(actor.name() + ": " + e);
                        sleep(50);
                    }
                }
            }, "torture-" + actor.name());
            threads.add(thread);
            thread.start();
        }
        long deadline = System.nanoTime() + length.toNanos();
        while (!stop.get() && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        stop.set(true);
        for (Thread thread : threads) {
            thread.join(120_000);
            assertThat(thread.isAlive()).as("%s still running", thread.getName()).isFalse();
        }
    }

    static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    // ---- after the run ----------------------------------------------------------------------------------------

    /**
     * The invariants, once the actors have stopped: one more collection after the grace period has passed for
     * everything, then every live manifest complete, every deleted one gone, and the store holding exactly the blobs
     * of the live manifests, on disk and by the usage API.
     */
    /**
     * Runs retention once more, after the run, so that every image with an {@link #EXPIRING} tag is deleted, and counts
     * them as deleted for {@link #verify}.
     */
    void finishRetention() {
        for (int attempt = 1; ; attempt++) {
            HttpResponse<byte[]> response = http.post("/api/v1/admin/retention");
            if (response.statusCode() == 200) {
                assertThat(RegistryHttp.json(response).get("skipped")).as("a retention run with no one else about").isEmpty();
                break;
            }
            assertThat(attempt).as("retention run answered " + response.statusCode()).isLessThan(50);
            sleep(100);
        }
        assertThat(ledger.retireExpiring()).as("images deleted by retention").isNotEmpty();
    }

    void verify() {
        assertThat(failures).as("failures during the run").isEmpty();
        assertThat(refusals).as("manifest pushes are refused only for a blob the collector took")
                .allMatch(r -> r.equals("400 MANIFEST_BLOB_UNKNOWN"));
        if (crashes) {
            ledger.settle(image -> http.get("/v2/" + image.repository() + "/manifests/" + image.digest(),
                    "Accept", OCI_MANIFEST).statusCode() == 200);
        }
        sleep(quiet.toMillis() + 50);
        JsonNode last = GarbageCollectionTest.collect(http, false);
        assertThat(last.get("missingFiles").asLong()).as("referenced blobs without a file").isZero();
        List<Image> live = ledger.live();
        List<Image> deleted = ledger.deleted();
        assertThat(live).as("manifests acknowledged and kept").isNotEmpty();
        assertThat(deleted).as("manifests deleted").isNotEmpty();

        Map<String, Long> expected = new HashMap<>();
        for (Image image : live) {
            assertPullable(image);
            image.blobs().forEach(blob -> expected.put(blob.digest(), blob.size()));
        }
        for (Image image : deleted) {
            HttpResponse<byte[]> gone = http.get("/v2/" + image.repository() + "/manifests/" + image.digest(),
                    "Accept", OCI_MANIFEST);
            assertThat(gone.statusCode()).as("deleted manifest %s", image.key()).isEqualTo(404);
            for (Descriptor blob : image.blobs()) {
                if (!expected.containsKey(blob.digest())) {
                    assertThat(http.head("/v2/" + image.repository() + "/blobs/" + blob.digest()).statusCode())
                            .as("blob %s of deleted manifest %s", blob.digest(), image.key()).isEqualTo(404);
                }
            }
        }
        assertThat(blobFiles()).as("blob files on disk: exactly the blobs of the manifests left")
                .isEqualTo(new TreeSet<>(expected.keySet()));
        JsonNode usage = RegistryHttp.json(http.get("/api/v1/admin/storage"));
        assertThat(usage.at("/total/blobs").asLong()).as("blobs by the usage API").isEqualTo(expected.size());
        assertThat(usage.at("/total/bytes").asLong()).as("bytes by the usage API")
                .isEqualTo(expected.values().stream().mapToLong(Long::longValue).sum());
        System.out.printf("torture%s: %d manifests kept, %d deleted, %d tags deleted, %d pushes refused with"
                        + " MANIFEST_BLOB_UNKNOWN and retried; %s; the last collection deleted %d blobs; %d blobs left%n",
                crashes ? " with crashes" : "", live.size(), deleted.size(), ledger.tagsDeleted(), refusals.size(),
                new java.util.TreeMap<>(counters), last.get("blobsDeleted").asLong(), expected.size());
    }

    /** The manifest by digest and by its tag (unless deleted), and every blob, each verifying against its digest. */
    void assertPullable(Image image) {
        HttpResponse<byte[]> manifest = http.get("/v2/" + image.repository() + "/manifests/" + image.digest(),
                "Accept", OCI_MANIFEST);
        assertThat(manifest.statusCode()).as("manifest %s", image.key()).isEqualTo(200);
        assertThat(sha256(manifest.body())).isEqualTo(image.digest());
        if (!ledger.tagGone(image)) {
            HttpResponse<byte[]> byTag = http.get("/v2/" + image.repository() + "/manifests/" + image.tag(),
                    "Accept", OCI_MANIFEST);
            assertThat(byTag.statusCode()).as("tag %s of %s", image.tag(), image.key()).isEqualTo(200);
            assertThat(sha256(byTag.body())).isEqualTo(image.digest());
        }
        for (Descriptor blob : image.blobs()) {
            HttpResponse<byte[]> pulled = http.get("/v2/" + image.repository() + "/blobs/" + blob.digest());
            assertThat(pulled.statusCode()).as("blob %s of %s", blob.digest(), image.key()).isEqualTo(200);
            assertThat(sha256(pulled.body())).as("blob %s of %s", blob.digest(), image.key()).isEqualTo(blob.digest());
        }
    }

    /** The digests of the blob files under the data directory ({@code blobs/sha256/xx/<hex>}). */
    Set<String> blobFiles() {
        Path root = dataDir.resolve("blobs").resolve("sha256");
        if (!Files.isDirectory(root)) {
            return new TreeSet<>();
        }
        try (Stream<Path> files = Files.walk(root)) {
            return files.filter(Files::isRegularFile).map(p -> "sha256:" + p.getFileName())
                    .collect(Collectors.toCollection(TreeSet::new));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    // ---- steps the actors share -------------------------------------------------------------------------------

    /** How a pusher makes sure a blob is in a repository. */
    enum Upload { MONOLITHIC, CHUNKED, HEAD_THEN_SKIP, MOUNT }

    /** Makes {@code content} a blob of {@code repository} the {@code way} given; an unexpected answer fails the step. */
    void ensureBlob(String repository, byte[] content, Upload way, Random random) {
        String digest = sha256(content);
        switch (way) {
            case HEAD_THEN_SKIP -> {
                int status = http.head("/v2/" + repository + "/blobs/" + digest).statusCode();
                if (status == 200) {
                    count("uploads skipped after a HEAD");
                    return;
                }
                expect(status == 404, "HEAD blob answered " + status);
                ensureBlob(repository, content, Upload.MONOLITHIC, random);
            }
            case MOUNT -> {
                String from = REPOSITORIES[random.nextInt(REPOSITORIES.length)];
                HttpResponse<byte[]> mount = http.post("/v2/" + repository + "/blobs/uploads/?mount=" + digest
                        + "&from=" + from);
                if (mount.statusCode() == 201) {
                    count("mounts");
                    return;
                }
                expect(mount.statusCode() == 202, "mount answered " + mount.statusCode() + " " + RegistryHttp.body(mount));
                put(http.location(mount), digest, content);
            }
            case CHUNKED -> {
                URI location = http.startUpload(repository);
                int half = content.length / 2;
                HttpResponse<byte[]> first = http.send("PATCH", location.toString(), Arrays.copyOfRange(content, 0, half),
                        "Content-Type", RegistryHttp.OCTET_STREAM, "Content-Range", "0-" + (half - 1));
                expect(first.statusCode() == 202, "PATCH answered " + first.statusCode() + " " + RegistryHttp.body(first));
                HttpResponse<byte[]> second = http.send("PATCH", http.location(first).toString(),
                        Arrays.copyOfRange(content, half, content.length), "Content-Type", RegistryHttp.OCTET_STREAM,
                        "Content-Range", half + "-" + (content.length - 1));
                expect(second.statusCode() == 202, "PATCH answered " + second.statusCode());
                HttpResponse<byte[]> put = http.send("PUT", RegistryHttp.withQuery(http.location(second), "digest", digest),
                        new byte[0], "Content-Type", RegistryHttp.OCTET_STREAM);
                expect(put.statusCode() == 201, "closing PUT answered " + put.statusCode() + " " + RegistryHttp.body(put));
                count("chunked uploads");
            }
            case MONOLITHIC -> {
                put(http.startUpload(repository), digest, content);
            }
        }
    }

    private void put(URI upload, String digest, byte[] content) {
        HttpResponse<byte[]> put = http.send("PUT", RegistryHttp.withQuery(upload, "digest", digest), content,
                "Content-Type", RegistryHttp.OCTET_STREAM);
        expect(put.statusCode() == 201, "PUT blob answered " + put.statusCode() + " " + RegistryHttp.body(put));
        count("monolithic uploads");
    }

    static void expect(boolean condition, String otherwise) {
        if (!condition) {
            throw new AssertionError(otherwise);
        }
    }

    static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    /** Pushes the manifest of {@code config} and {@code layers}; as a client does, re-uploads and retries on MANIFEST_BLOB_UNKNOWN. */
    void pushImage(String repository, String tag, Descriptor config, byte[] configContent, List<byte[]> layers,
                   Random random) {
        RegistryHttp.ImageManifest builder = RegistryHttp.ImageManifest.of(config);
        List<Descriptor> blobs = new ArrayList<>(List.of(config));
        for (byte[] layer : layers) {
            Descriptor descriptor = new Descriptor(RegistryHttp.OCI_LAYER, sha256(layer), layer.length);
            builder.layer(descriptor);
            blobs.add(descriptor);
        }
        byte[] manifest = builder.json();
        Image image = new Image(repository, tag, sha256(manifest), blobs);
        for (int attempt = 1; ; attempt++) {
            HttpResponse<byte[]> put;
            try {
                put = http.putManifest(repository, tag, OCI_MANIFEST, manifest);
            } catch (UncheckedIOException lost) {
                if (crashes) {
                    ledger.pushUncertain(image);
                }
                throw lost;
            }
            if (put.statusCode() == 201) {
                ledger.acknowledged(image);
                count("manifests acknowledged");
                return;
            }
            refusals.add(put.statusCode() + " " + RegistryHttp.errorCode(put));
            expect(attempt < 5, "manifest push refused " + attempt + " times: " + RegistryHttp.body(put));
            // A real client uploads what the registry says it lacks; it does not know which, so all of it.
            ensureBlob(repository, configContent, Upload.MONOLITHIC, random);
            for (byte[] layer : layers) {
                ensureBlob(repository, layer, Upload.MONOLITHIC, random);
            }
            count("manifest pushes retried");
        }
    }
}
