package io.berth.bench;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.berth.oci.Manifest;
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
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;

/**
 * A registry at scale for the {@code scale} phase, made directly (a million tags through the API would take hours
 * here): the metadata through Berth's own {@link Database} (its migrations make the schema) with {@link BatchedRows},
 * the blob files in {@code FilesystemBlobStore}'s layout. Every manifest is real JSON, parsed by Berth's
 * {@link ManifestParser} and typed by its {@link Classifier} with the built-in {@link TypeCatalog}, so each row holds
 * what a push through the API would have stored: type, platforms, total size, artifact type, subject, blob references,
 * index children, links. Everything follows from the seed except the timestamps.
 *
 * <p>The full size: 100,000 repositories and 1,000,000 tags; {@value #BIG} holds 100,000 tags, {@value #SIGNED}
 * one image with 10,000 referrers (cosign signatures, SPDX SBOMs, Notation signatures); the other repositories hold
 * one to seventeen tags each, of one kind per repository (OCI and Docker images, multi-arch indexes, Helm charts,
 * WASM modules, Flux artifacts, Kyverno policies, ORAS artifacts), one to three tags per manifest, about 8 % of the
 * manifests untagged, and images signed (5 %) or with an SBOM (2 %) as referrers. 100,000 distinct blobs (the first
 * is the OCI empty descriptor {@code {}}), all referenced, shared across repositories like base layers are.
 */
final class ScaleStore {
    static final String BIG = "acme/big";
    static final String SIGNED = "acme/signed";
    static final String SBOM_TYPE = "application/spdx+json";
    private static final long DAY = 86_400_000;
    private static final int BASE_LAYERS = 64;
    private static final String OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";
    private static final String OCI_INDEX = "application/vnd.oci.image.index.v1+json";
    private static final String DOCKER_MANIFEST = "application/vnd.docker.distribution.manifest.v2+json";
    private static final String OCI_CONFIG = "application/vnd.oci.image.config.v1+json";
    private static final String OCI_LAYER = "application/vnd.oci.image.layer.v1.tar+gzip";
    private static final String EMPTY = "application/vnd.oci.empty.v1+json";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final java.util.logging.Logger FLYWAY_LOG = java.util.logging.Logger.getLogger("org.flywaydb");

    /** How much to make. */
    record Size(int repositories, int tags, int bigTags, int referrers, int blobs) {
        /**
         * The mix scaled to {@code tags} (at least 1,000): for 1,000,000, 100,000 repositories, 100,000 tags in
         * the big one, 10,000 referrers and 100,000 blobs.
         */
        static Size of(int tags) {
            return new Size(Math.max(100, tags / 10), tags, tags / 10, Math.max(100, tags / 100), Math.max(1000, tags / 10));
        }
    }

    /** The kind of content a repository holds: the manifest's media type, config and layers, as its tools push it. */
    private enum Kind {
        OCI_IMAGE(60, OCI_MANIFEST, OCI_CONFIG, OCI_LAYER),
        DOCKER_IMAGE(12, DOCKER_MANIFEST, "application/vnd.docker.container.image.v1+json",
                "application/vnd.docker.image.rootfs.diff.tar.gzip"),
        MULTI_ARCH(6, OCI_INDEX, OCI_CONFIG, OCI_LAYER),
        HELM_CHART(10, OCI_MANIFEST, "application/vnd.cncf.helm.config.v1+json",
                "application/vnd.cncf.helm.chart.content.v1.tar+gzip"),
        WASM(4, OCI_MANIFEST, "application/vnd.wasm.config.v0+json", "application/wasm"),
        FLUX(3, OCI_MANIFEST, "application/vnd.cncf.flux.config.v1+json", "application/vnd.cncf.flux.content.v1.tar+gzip"),
        KYVERNO(2, OCI_MANIFEST, "application/vnd.cncf.kyverno.config.v1+json",
                "application/vnd.cncf.kyverno.policy.layer.v1+yaml"),
        ORAS(3, OCI_MANIFEST, EMPTY, "application/octet-stream");

        final int weight;
        final String mediaType;
        final String config;
        final String layer;

        Kind(int weight, String mediaType, String config, String layer) {
            this.weight = weight;
            this.mediaType = mediaType;
            this.config = config;
            this.layer = layer;
        }

        boolean image() {
            return this == OCI_IMAGE || this == DOCKER_IMAGE || this == MULTI_ARCH;
        }
    }

    /** The referrers a subject may have: artifact type, layer media type. */
    private enum Referrer {
        COSIGN_SIGNATURE("application/vnd.dev.cosign.artifact.sig.v1+json", "application/vnd.dev.cosign.simplesigning.v1+json"),
        SPDX_SBOM(SBOM_TYPE, SBOM_TYPE),
        NOTATION_SIGNATURE("application/vnd.cncf.notary.signature", "application/jose+json");

        final String artifactType;
        final String layer;

        Referrer(String artifactType, String layer) {
            this.artifactType = artifactType;
            this.layer = layer;
        }
    }

    /** What was made, and what the benchmark's clients ask for. */
    record Filled(int repositories, long blobs, long manifests, long referrers, long tags, Map<String, Long> manifestsByType,
                  String bigMiddleTag, String catalogMiddle, String subject, String probeTag, String probeManifest,
                  String probeBlob, double seconds) {
    }

    /** One manifest made: its row's values, the blobs and children it references. */
    private record Made(String digest, byte[] bytes, String mediaType, String typeId, long totalSize, List<String> blobs) {
    }

    private final Path store;
    private final Size size;
    private final Random random;
    private final DatabaseConfig database;
    private final long now = System.currentTimeMillis();
    private final TypeCatalog catalog = TypeCatalog.builtIn();
    private final MessageDigest sha256 = Content.sha256();
    private final String[] digests;
    private final int[] sizes;
    private int nextBlob = 1;
    private final Map<String, Long> byType = new TreeMap<>();

    private BatchedRows manifestRows;
    private BatchedRows blobReferences;
    private BatchedRows childReferences;
    private BatchedRows links;
    private final Set<String> linked = new HashSet<>();
    private final Map<String, Integer> blobSize = new java.util.HashMap<>();
    private long pushedAt;
    private long referrerCount;
    /** The repository being made: per type its manifests, tags and untagged top-level manifests (V12's counts). */
    private final Map<String, long[]> repositoryCounts = new TreeMap<>();
    private long manifestBytes;
    private long linkedBytes;
    private BatchedRows typeCounts;
    private BatchedRows totals;
    private BatchedRows linkBytes;

    private ScaleStore(Path store, DatabaseConfig database, Size size, long seed) {
        this.store = store;
        this.database = database;
        this.size = size;
        this.random = new Random(seed);
        this.digests = new String[size.blobs()];
        this.sizes = new int[size.blobs()];
    }

    /** Fills the empty data directory {@code store} and the empty metadata {@code database}. */
    static Filled fill(Path store, DatabaseConfig database, Size size, long seed) throws Exception {
        return new ScaleStore(store, database, size, seed).fill();
    }

    static String repositoryName(int r) {
        return r == 0 ? BIG : r == 1 ? SIGNED : String.format("team-%03d/app-%06d", r % 500, r);
    }

    private Filled fill() throws Exception {
        long t0 = System.nanoTime();
        FLYWAY_LOG.setLevel(java.util.logging.Level.WARNING);
        Files.createDirectories(store);
        writeBlob(0, "{}".getBytes(StandardCharsets.UTF_8));
        for (int i = 1; i < size.blobs(); i++) {
            byte[] content = new byte[128 + random.nextInt(896)];
            random.nextBytes(content);
            writeBlob(i, content);
        }
        System.out.printf("  %,d blob files written in %.0f s%n", size.blobs(), (System.nanoTime() - t0) / 1e9);
        int[] tags = tagsPerRepository();
        Kind[] kinds = Kind.values();
        int weights = 0;
        for (Kind k : kinds) {
            weights += k.weight;
        }
        List<String> bigTags = new ArrayList<>();
        String[] probe = new String[4];
        long tagCount = 0;
        try (Database db = Database.open(this.database)) {
            BatchedRows repositories = new BatchedRows(db, "INSERT INTO repositories (id, name, created_at) VALUES (?, ?, ?)");
            BatchedRows blobs = new BatchedRows(db,
                    "INSERT INTO blobs (digest, size, created_at, touched_at, state) VALUES (?, ?, ?, ?, 'live')");
            for (int i = 0; i < size.blobs(); i++) {
                blobs.add(digests[i], sizes[i], now - 200 * DAY, now - 200 * DAY);
            }
            for (int r = 0; r < size.repositories(); r++) {
                repositories.add(r + 1, repositoryName(r), now - 400 * DAY);
            }
            blobs.flush();
            repositories.flush();
            links = new BatchedRows(db, "INSERT INTO repository_blobs (repository_id, digest, created_at) VALUES (?, ?, ?)");
            manifestRows = new BatchedRows(db, """
                    INSERT INTO manifests (repository_id, digest, media_type, content, size, artifact_type, subject_digest,
                                           annotations_json, pushed_at, type_id, platforms, total_size)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""", links);
            blobReferences = new BatchedRows(db,
                    "INSERT INTO manifest_blobs (repository_id, manifest_digest, blob_digest) VALUES (?, ?, ?)", manifestRows);
            childReferences = new BatchedRows(db,
                    "INSERT INTO manifest_children (repository_id, manifest_digest, child_digest) VALUES (?, ?, ?)", manifestRows);
            BatchedRows tagRows = new BatchedRows(db,
                    "INSERT INTO tags (repository_id, name, manifest_digest, updated_at) VALUES (?, ?, ?, ?)", manifestRows);
            typeCounts = new BatchedRows(db, """
                    INSERT INTO repository_type_counts (repository_id, type_id, repository_name, manifests, tags, untagged)
                    VALUES (?, ?, ?, ?, ?, ?)""");
            totals = new BatchedRows(db,
                    "INSERT INTO repository_totals (repository_id, manifest_bytes, last_push_at) VALUES (?, ?, ?)");
            linkBytes = new BatchedRows(db, "INSERT INTO repository_link_bytes (repository_id, bytes) VALUES (?, ?)");
            for (int r = 0; r < size.repositories(); r++) {
                long id = r + 1;
                linked.clear();
                repositoryCounts.clear();
                manifestBytes = 0;
                linkedBytes = 0;
                pushedAt = now - 365 * DAY + random.nextInt(30) * DAY;
                Kind kind = Kind.OCI_IMAGE;
                if (r > 1) {
                    int pick = random.nextInt(weights);
                    for (Kind k : kinds) {
                        if ((pick -= k.weight) < 0) {
                            kind = k;
                            break;
                        }
                    }
                }
                if (r == 1) {
                    Made subject = artifact(id, kind, r, 0);
                    tagRows.add(id, "v1", subject.digest(), pushedAt);
                    repositoryCounts.get(subject.typeId())[1]++;
                    tagCount++;
                    Referrer[] referrers = Referrer.values();
                    for (int i = 0; i < size.referrers(); i++) {
                        int pick = random.nextInt(10);
                        referrer(id, subject, referrers[pick < 5 ? 0 : pick < 8 ? 1 : 2], i);
                    }
                    probe[0] = subject.digest();
                    counted(id);
                    continue;
                }
                int assigned = 0;
                for (int m = 0; assigned < tags[r]; m++) {
                    Made made = artifact(id, kind, r, m);
                    if (kind.image() && kind != Kind.MULTI_ARCH) {
                        int roll = random.nextInt(100);
                        if (roll < 5) {
                            referrer(id, made, Referrer.COSIGN_SIGNATURE, m);
                        } else if (roll < 7) {
                            referrer(id, made, Referrer.SPDX_SBOM, m);
                        }
                    }
                    if (random.nextInt(100) < 8) {
                        repositoryCounts.get(made.typeId())[2]++;
                        continue; // an older push whose tags moved on
                    }
                    int k = Math.min(1 + random.nextInt(3), tags[r] - assigned);
                    repositoryCounts.get(made.typeId())[1] += k;
                    for (int t = 0; t < k; t++) {
                        String tag = t == 0 ? "1." + m + ".0" : t == 1 ? "1." + m : "build-" + m;
                        tagRows.add(id, tag, made.digest(), pushedAt);
                        if (r == 0) {
                            bigTags.add(tag);
                        }
                        if (probe[1] == null && r == 2 + size.repositories() / 4 && kind != Kind.MULTI_ARCH) {
                            probe[1] = repositoryName(r) + ":" + tag;
                            probe[2] = made.digest();
                            probe[3] = made.blobs().get(0);
                        }
                    }
                    assigned += k;
                    tagCount += k;
                }
                counted(id);
                if (r % 10_000 == 9_999) {
                    System.out.printf("  %,d repositories, %,d tags, %,d manifests (%.0f s)%n", r + 1, tagCount,
                            manifestRows.count(), (System.nanoTime() - t0) / 1e9);
                }
            }
            tagRows.flush();
            typeCounts.flush();
            totals.flush();
            linkBytes.flush();
            blobReferences.flush();
            childReferences.flush();
            // Every row was typed with the built-in catalog, as a running registry records it (V13): no walk at start.
            db.inTransaction(connection -> {
                try (var statement = connection.prepareStatement("INSERT INTO classification_state"
                        + " (id, catalog_fingerprint, typed_at) VALUES (1, ?, ?)")) {
                    statement.setString(1, catalog.fingerprint());
                    statement.setLong(2, System.currentTimeMillis());
                    statement.executeUpdate();
                }
                return null;
            });
            if (!this.database.isSqlite()) {
                db.inTransaction(connection -> {
                    try (var statement = connection.createStatement()) {
                        statement.execute("SELECT setval(pg_get_serial_sequence('repositories', 'id'),"
                                + " (SELECT max(id) FROM repositories))");
                        statement.execute("ANALYZE");
                    }
                    return null;
                });
            }
        }
        if (probe[1] == null) {
            throw new IllegalStateException("no probe tag: the probe repository holds only indexes");
        }
        bigTags.sort(null); // byte order: the tags are ASCII
        List<String> names = new ArrayList<>();
        for (int r = 0; r < size.repositories(); r++) {
            names.add(repositoryName(r));
        }
        names.sort(null);
        return new Filled(size.repositories(), size.blobs(), manifestRows.count(), referrerCount, tagCount, byType,
                bigTags.get(bigTags.size() / 2), names.get(names.size() / 2), probe[0], probe[1], probe[2], probe[3],
                (System.nanoTime() - t0) / 1e9);
    }

    /** The finished repository's counts, as a push through the API would have kept them. */
    private void counted(long repository) {
        String name = repositoryName((int) repository - 1);
        repositoryCounts.forEach((type, c) -> typeCounts.add(repository, type, name, c[0], c[1], c[2]));
        totals.add(repository, manifestBytes, pushedAt);
        if (linkedBytes > 0) {
            linkBytes.add(repository, linkedBytes);
        }
    }

    /** Tags per repository: {@link Size#bigTags} for the big one, 1 for the signed one, the rest spread around a mean. */
    private int[] tagsPerRepository() {
        int n = size.repositories();
        int[] tags = new int[n];
        tags[0] = size.bigTags();
        tags[1] = 1;
        long rest = size.tags() - size.bigTags() - 1;
        int mean = (int) Math.max(1, rest / (n - 2));
        long sum = 0;
        for (int r = 2; r < n; r++) {
            tags[r] = 1 + random.nextInt(2 * mean - 1);
            sum += tags[r];
        }
        while (sum != rest) {
            int r = 2 + random.nextInt(n - 2);
            int step = sum < rest ? 1 : -1;
            if (tags[r] + step >= 1) {
                tags[r] += step;
                sum += step;
            }
        }
        return tags;
    }

    /** One artifact of {@code kind}: for a multi-arch index, its two images first. */
    private Made artifact(long repository, Kind kind, int r, int m) throws IOException {
        if (kind != Kind.MULTI_ARCH) {
            return store(repository, kind.mediaType, single(kind, r, m, null, null));
        }
        List<String> entries = new ArrayList<>();
        List<String> children = new ArrayList<>();
        long childTotal = 0;
        for (String arch : List.of("amd64", "arm64")) {
            Made child = store(repository, OCI_MANIFEST, single(Kind.OCI_IMAGE, r, m, null, null));
            children.add(child.digest());
            childTotal += child.totalSize();
            entries.add("{\"mediaType\":\"" + OCI_MANIFEST + "\",\"digest\":\"" + child.digest() + "\",\"size\":"
                    + child.bytes().length + ",\"platform\":{\"architecture\":\"" + arch + "\",\"os\":\"linux\"}}");
        }
        String json = "{\"schemaVersion\":2,\"mediaType\":\"" + OCI_INDEX + "\",\"manifests\":[" + String.join(",", entries)
                + "],\"annotations\":{\"bench.number\":\"" + r + "." + m + "\"}}";
        return store(repository, OCI_INDEX, json, children, childTotal);
    }

    /** A manifest with a config and one or two layers (a base layer shared across repositories for images). */
    private String single(Kind kind, int r, int m, Referrer referrer, Made subject) {
        StringBuilder json = new StringBuilder("{\"schemaVersion\":2,\"mediaType\":\"")
                .append(referrer == null ? kind.mediaType : OCI_MANIFEST).append('"');
        if (referrer != null) {
            json.append(",\"artifactType\":\"").append(referrer.artifactType).append('"');
            json.append(",\"config\":").append(descriptor(EMPTY, 0));
            json.append(",\"layers\":[").append(descriptor(referrer.layer, blob())).append(']');
            json.append(",\"subject\":{\"mediaType\":\"").append(subject.mediaType()).append("\",\"digest\":\"")
                    .append(subject.digest()).append("\",\"size\":").append(subject.bytes().length).append('}');
        } else {
            json.append(",\"config\":").append(descriptor(kind.config, kind.config.equals(EMPTY) ? 0 : blob()));
            json.append(",\"layers\":[");
            if (kind.image() && random.nextInt(10) < 7) {
                json.append(descriptor(kind.layer, 1 + random.nextInt(BASE_LAYERS))).append(',');
            }
            json.append(descriptor(kind.layer, blob())).append(']');
        }
        return json.append(",\"annotations\":{\"org.opencontainers.image.revision\":\"")
                .append(Long.toHexString(random.nextLong())).append("\",\"bench.number\":\"").append(r).append('.')
                .append(m).append("\"}}").toString();
    }

    private void referrer(long repository, Made subject, Referrer referrer, int m) throws IOException {
        store(repository, OCI_MANIFEST, single(Kind.ORAS, (int) repository - 1, m, referrer, subject));
        referrerCount++;
    }

    private Made store(long repository, String mediaType, String json) throws IOException {
        return store(repository, mediaType, json, List.of(), 0);
    }

    /** Parses, types and stores one manifest with its references and links, as a push would. */
    private Made store(long repository, String mediaType, String json, List<String> children, long childTotal)
            throws IOException {
        byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
        Manifest manifest = ManifestParser.parse(bytes, mediaType);
        Classification classification = Classifier.classify(catalog, manifest, bytes.length);
        String digest = "sha256:" + HexFormat.of().formatHex(sha256.digest(bytes));
        long total = classification.contentSize() + childTotal;
        List<String> blobs = manifest.blobs().stream().map(d -> d.digest().toString()).distinct().sorted().toList();
        pushedAt += 1 + random.nextInt(120_000);
        manifestRows.add(repository, digest, manifest.mediaType(), bytes, (long) bytes.length,
                manifest.effectiveArtifactType().orElse(null),
                manifest.subject().map(s -> s.digest().toString()).orElse(null), annotations(manifest), pushedAt,
                classification.typeId(), String.join(",", classification.platforms()), total);
        for (String blob : blobs) {
            if (linked.add(blob)) {
                links.add(repository, blob, pushedAt);
                linkedBytes += blobSize.get(blob);
            }
            blobReferences.add(repository, digest, blob);
        }
        for (String child : children.stream().distinct().sorted().toList()) {
            childReferences.add(repository, digest, child);
        }
        byType.merge(classification.typeId(), 1L, Long::sum);
        repositoryCounts.computeIfAbsent(classification.typeId(), t -> new long[3])[0]++;
        manifestBytes += bytes.length;
        return new Made(digest, bytes, manifest.mediaType(), classification.typeId(), total, blobs);
    }

    private static String annotations(Manifest manifest) throws JsonProcessingException {
        return JSON.writeValueAsString(new TreeMap<>(manifest.annotations()));
    }

    /** The next blob of the pool, in turn, so that every blob is referenced (the base layers are picked at random). */
    private int blob() {
        int b = nextBlob;
        nextBlob = nextBlob + 1 >= size.blobs() ? BASE_LAYERS + 1 : nextBlob + 1;
        return b;
    }

    private String descriptor(String mediaType, int blob) {
        return "{\"mediaType\":\"" + mediaType + "\",\"digest\":\"" + digests[blob] + "\",\"size\":" + sizes[blob] + "}";
    }

    private void writeBlob(int i, byte[] content) throws IOException {
        String hex = HexFormat.of().formatHex(sha256.digest(content));
        Path file = store.resolve("blobs").resolve("sha256").resolve(hex.substring(0, 2)).resolve(hex);
        Files.createDirectories(file.getParent());
        Files.write(file, content);
        digests[i] = "sha256:" + hex;
        sizes[i] = content.length;
        blobSize.put(digests[i], content.length);
    }
}
