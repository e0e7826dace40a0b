package io.berth.bench;

import io.berth.oci.ManifestParser;
import io.berth.oci.type.TypeCatalog;
import io.berth.server.meta.Database;
import io.berth.server.meta.DatabaseConfig;
import io.berth.server.meta.StoredManifest.Classification;
import io.berth.server.type.Classifier;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.sql.PreparedStatement;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;

/**
 * A Berth data directory filled for the garbage collection benchmark without going through HTTP (a million tags
 * through the API would take hours here): the metadata through Berth's own {@link Database} (so its migrations make the
 * schema) with batched inserts, the blob files in {@code FilesystemBlobStore}'s layout ({@code blobs/sha256/ab/ab…}).
 * Everything follows from the seed: the same seed gives the same repositories, bytes, digests and tags; only the
 * timestamps follow the clock, so that the grace period sorts the blobs as intended.
 *
 * <p>The mix: repositories of Zipf-like sizes (the largest holds about a tenth of the tags); 64 base layers that
 * every repository links and most images share; each repository's own pool of configs and layers, every blob of it
 * referenced by some manifest; one to seven tags per manifest, and about 8 % untagged manifests; then the garbage of
 * deleted images — blobs that nothing references, untouched for two days, still linked to a repository — and blobs
 * uploaded ten minutes ago that nothing references yet, which a one-hour grace period keeps.
 */
final class GcStore {
    static final long GRACE_MILLIS = 3_600_000;
    private static final long DAY = 86_400_000;
    private static final int BASE_LAYERS = 64;
    private static final String OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";
    private static final String OCI_CONFIG = "application/vnd.oci.image.config.v1+json";
    private static final String OCI_LAYER = "application/vnd.oci.image.layer.v1.tar+gzip";
    /** Flyway logs through java.util.logging here (the harness has no SLF4J provider): only its warnings. */
    private static final java.util.logging.Logger FLYWAY_LOG = java.util.logging.Logger.getLogger("org.flywaydb");

    /** How much to make. */
    record Size(int repositories, int referencedBlobs, int garbageBlobs, int recentBlobs, int tags) {
        static Size full() {
            return new Size(400, 100_000, 15_000, 5_000, 1_000_000);
        }

        static Size quick() {
            return new Size(40, 8_000, 1_500, 500, 50_000);
        }

        /** The full mix scaled to {@code tags} and {@code blobs} (referenced + garbage + recent). */
        static Size of(int tags, int blobs) {
            int garbage = blobs * 15 / 120;
            int recent = blobs * 5 / 120;
            return new Size(Math.max(4, Math.min(400, tags / 2500)), blobs - garbage - recent, garbage, recent, tags);
        }
    }

    /** What was made, and what the benchmark's clients fetch. */
    record Filled(int repositories, long blobs, long blobBytes, long manifests, long untagged, long tags,
                  long garbageBlobs, long garbageBytes, long recentBlobs, String probeRepository, String probeTag,
                  String probeManifest, String probeBlob, long probeBlobSize, double seconds) {
    }

    private final Path store;
    private final Size size;
    private final Random random;
    private final DatabaseConfig database;
    private final long now = System.currentTimeMillis();
    private final List<String> digests = new ArrayList<>();
    private final List<Integer> sizes = new ArrayList<>();
    private final MessageDigest sha256 = Content.sha256();
    private long blobBytes;

    private GcStore(Path store, DatabaseConfig database, Size size, long seed) {
        this.store = store;
        this.database = database;
        this.size = size;
        this.random = new Random(seed);
    }

    /**
     * Fills the empty data directory {@code store} (the server's {@code --data}) and the empty metadata
     * {@code database} (SQLite under {@code store}, or a PostgreSQL database).
     */
    static Filled fill(Path store, DatabaseConfig database, Size size, long seed) throws Exception {
        return new GcStore(store, database, size, seed).fill();
    }

    private Filled fill() throws Exception {
        long t0 = System.nanoTime();
        FLYWAY_LOG.setLevel(java.util.logging.Level.WARNING);
        Files.createDirectories(store);
        int repositories = size.repositories();
        double[] weight = new double[repositories];
        double total = 0;
        for (int r = 0; r < repositories; r++) {
            weight[r] = 1 / Math.pow(r + 1, 0.8);
            total += weight[r];
        }
        int[] tags = new int[repositories];
        int[] pool = new int[repositories];
        int poolTotal = size.referencedBlobs() - BASE_LAYERS;
        for (int r = 0; r < repositories; r++) {
            tags[r] = Math.max(8, (int) Math.round(size.tags() * weight[r] / total));
            pool[r] = Math.max(3, (int) Math.round(poolTotal * weight[r] / total));
            pool[r] = Math.min(pool[r], 3 * (tags[r] / 4)); // every pool blob referenced: three per manifest
        }
        for (int i = 0; i < BASE_LAYERS; i++) {
            blob(16 * 1024 + random.nextInt(48 * 1024));
        }
        int[] poolStart = new int[repositories];
        for (int r = 0; r < repositories; r++) {
            poolStart[r] = digests.size();
            for (int i = 0; i < pool[r]; i++) {
                blob(i % 3 == 0 ? 200 + random.nextInt(1200) : 512 + random.nextInt(3072));
            }
        }
        int referenced = digests.size();
        for (int i = 0; i < size.garbageBlobs() + size.recentBlobs(); i++) {
            blob(512 + random.nextInt(3072));
        }
        long garbageBytes = 0;
        for (int i = referenced; i < referenced + size.garbageBlobs(); i++) {
            garbageBytes += sizes.get(i);
        }
        System.out.printf("  %,d blob files written in %.0f s%n", digests.size(), (System.nanoTime() - t0) / 1e9);
        TypeCatalog catalog = TypeCatalog.builtIn();
        String[] probe = new String[3];
        long[] counts = new long[3]; // manifests, untagged, tags
        try (Database database = Database.open(this.database)) {
            database.inTransaction(connection -> {
                try (PreparedStatement insert = connection.prepareStatement(
                        "INSERT INTO repositories (id, name, created_at) VALUES (?, ?, ?)")) {
                    for (int r = 0; r < repositories; r++) {
                        insert.setLong(1, r + 1);
                        insert.setString(2, repositoryName(r));
                        insert.setLong(3, now - 90 * DAY);
                        insert.addBatch();
                    }
                    insert.executeBatch();
                }
                return null;
            });
            insertBlobs(database, referenced);
            BatchedRows links = new BatchedRows(database, "INSERT INTO repository_blobs (repository_id, digest, created_at) VALUES (?, ?, ?)");
            for (int r = 0; r < repositories; r++) {
                for (int i = 0; i < BASE_LAYERS; i++) {
                    links.add(r + 1, digests.get(i), now - 30 * DAY);
                }
                for (int i = poolStart[r]; i < poolStart[r] + pool[r]; i++) {
                    links.add(r + 1, digests.get(i), now - 30 * DAY);
                }
            }
            for (int i = referenced; i < digests.size(); i++) {
                boolean garbage = i < referenced + size.garbageBlobs();
                links.add(1 + random.nextInt(repositories), digests.get(i), garbage ? now - 2 * DAY : now - 600_000);
            }
            links.flush();
            BatchedRows manifests = new BatchedRows(database, """
                    INSERT INTO manifests (repository_id, digest, media_type, content, size, artifact_type, subject_digest,
                                           annotations_json, pushed_at, type_id, platforms, total_size)
                    VALUES (?, ?, ?, ?, ?, NULL, NULL, '{}', ?, ?, ?, ?)""");
            BatchedRows references = new BatchedRows(database,
                    "INSERT INTO manifest_blobs (repository_id, manifest_digest, blob_digest) VALUES (?, ?, ?)", manifests);
            BatchedRows tagRows = new BatchedRows(database,
                    "INSERT INTO tags (repository_id, name, manifest_digest, updated_at) VALUES (?, ?, ?, ?)", manifests);
            for (int r = 0; r < repositories; r++) {
                int assigned = 0;
                for (int m = 0; assigned < tags[r]; m++) {
                    int[] blobs = new int[3];
                    for (int slot = 0; slot < 3; slot++) {
                        int k = 3 * m + slot;
                        blobs[slot] = poolStart[r] + (k < pool[r] ? k : random.nextInt(pool[r]));
                    }
                    boolean withBase = random.nextInt(10) < 7;
                    int base = random.nextInt(BASE_LAYERS);
                    byte[] manifest = manifest(blobs, withBase ? base : -1, r, m);
                    String digest = "sha256:" + HexFormat.of().formatHex(sha256.digest(manifest));
                    Classification classification = Classifier.classify(catalog,
                            ManifestParser.parse(manifest, OCI_MANIFEST), manifest.length);
                    long pushedAt = now - 60 * DAY + (long) m * 60_000;
                    manifests.add(r + 1, digest, OCI_MANIFEST, manifest, manifest.length, pushedAt,
                            classification.typeId(), String.join(",", classification.platforms()), classification.contentSize());
                    List<String> referencedDigests = new ArrayList<>();
                    for (int b : blobs) {
                        if (!referencedDigests.contains(digests.get(b))) {
                            referencedDigests.add(digests.get(b));
                        }
                    }
                    if (withBase && !referencedDigests.contains(digests.get(base))) {
                        referencedDigests.add(digests.get(base));
                    }
                    for (String blob : referencedDigests) {
                        references.add(r + 1, digest, blob);
                    }
                    counts[0]++;
                    if (random.nextInt(100) < 8) {
                        counts[1]++;
                        continue;
                    }
                    int k = Math.min(1 + random.nextInt(7), tags[r] - assigned);
                    for (int t = 0; t < k; t++) {
                        String tag = t == 0 ? "build-" + m : "1." + m + "." + t;
                        tagRows.add(r + 1, tag, digest, pushedAt);
                        if (probe[0] == null && r == repositories / 4 && m >= 10) {
                            probe[0] = repositoryName(r);
                            probe[1] = tag;
                            probe[2] = digest;
                        }
                    }
                    assigned += k;
                    counts[2] += k;
                }
            }
            manifests.flush();
            references.flush();
            tagRows.flush();
            if (!this.database.isSqlite()) {
                // The ids above were given explicitly: the identity must go on after them.
                database.inTransaction(connection -> {
                    try (var statement = connection.createStatement()) {
                        statement.execute("SELECT setval(pg_get_serial_sequence('repositories', 'id'),"
                                + " (SELECT max(id) FROM repositories))");
                    }
                    return null;
                });
            }
        }
        return new Filled(repositories, digests.size(), blobBytes, counts[0], counts[1], counts[2], size.garbageBlobs(),
                garbageBytes, size.recentBlobs(), probe[0], probe[1], probe[2], digests.get(0), sizes.get(0),
                (System.nanoTime() - t0) / 1e9);
    }

    static String repositoryName(int r) {
        return "gc/team-" + (r % 12) + "/service-" + r;
    }

    /** A new blob of {@code length} random bytes: its file now, its row later. */
    private void blob(int length) throws IOException {
        byte[] content = new byte[length];
        random.nextBytes(content);
        String hex = HexFormat.of().formatHex(sha256.digest(content));
        Path file = store.resolve("blobs").resolve("sha256").resolve(hex.substring(0, 2)).resolve(hex);
        Files.createDirectories(file.getParent());
        Files.write(file, content);
        digests.add("sha256:" + hex);
        sizes.add(length);
        blobBytes += length;
    }

    /** The blob rows: referenced ones untouched for a month, garbage for two days, recent ones ten minutes ago. */
    private void insertBlobs(Database database, int referenced) {
        BatchedRows rows = new BatchedRows(database,
                "INSERT INTO blobs (digest, size, created_at, touched_at, state) VALUES (?, ?, ?, ?, 'live')");
        for (int i = 0; i < digests.size(); i++) {
            long touched = i < referenced ? now - 30 * DAY
                    : i < referenced + size.garbageBlobs() ? now - 2 * DAY : now - 600_000;
            rows.add(digests.get(i), sizes.get(i), touched, touched);
        }
        rows.flush();
    }

    private byte[] manifest(int[] blobs, int base, int repository, int number) {
        StringBuilder json = new StringBuilder("{\"schemaVersion\":2,\"mediaType\":\"" + OCI_MANIFEST + "\",\"config\":")
                .append(descriptor(OCI_CONFIG, blobs[0])).append(",\"layers\":[");
        if (base >= 0) {
            json.append(descriptor(OCI_LAYER, base)).append(',');
        }
        json.append(descriptor(OCI_LAYER, blobs[1])).append(',').append(descriptor(OCI_LAYER, blobs[2]))
                .append("],\"annotations\":{\"org.opencontainers.image.revision\":\"")
                .append(Long.toHexString(random.nextLong())).append("\",\"bench.number\":\"").append(repository)
                .append('.').append(number).append("\"}}");
        return json.toString().getBytes(StandardCharsets.UTF_8);
    }

    private String descriptor(String mediaType, int blob) {
        return "{\"mediaType\":\"" + mediaType + "\",\"digest\":\"" + digests.get(blob) + "\",\"size\":" + sizes.get(blob) + "}";
    }
}
