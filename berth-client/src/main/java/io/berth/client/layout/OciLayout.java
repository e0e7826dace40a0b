package io.berth.client.layout;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.berth.client.BlobSource;
import io.berth.client.ContentStore;
import io.berth.client.FetchedManifest;
import io.berth.client.ManifestJson;
import io.berth.client.RegistryClientException;
import io.berth.client.VerifyingInputStream;
import io.berth.oci.Descriptor;
import io.berth.oci.Digest;
import io.berth.oci.ErrorCode;
import io.berth.oci.ManifestParser;
import io.berth.oci.MediaTypes;
import io.berth.oci.Reference;
import io.berth.oci.RegistryException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.LongConsumer;

/**
 * An OCI image layout directory (image-spec {@code image-layout.md}), as skopeo ({@code oci:DIR:TAG}), umoci and
 * {@code oras --oci-layout} read and write it:
 * <pre>
 * DIR/
 *   oci-layout            {"imageLayoutVersion":"1.0.0"}
 *   index.json            an image index: the tagged manifests (annotation org.opencontainers.image.ref.name = tag)
 *                         and the untagged referrers (manifests with a subject)
 *   blobs/sha256/&lt;hex&gt;    every blob and manifest, named by digest
 * </pre>
 * Blobs are written to a temporary file, verified, then moved into place; {@code index.json} is replaced atomically.
 */
public final class OciLayout implements ContentStore {
    public static final String REF_NAME = "org.opencontainers.image.ref.name";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path root;

    private OciLayout(Path root) {
        this.root = root;
    }

    /** Opens the layout at {@code dir}, creating an empty one when the directory has none. */
    public static OciLayout open(Path dir) {
        try {
            Files.createDirectories(dir.resolve("blobs"));
            if (!Files.exists(dir.resolve("oci-layout"))) {
                Files.writeString(dir.resolve("oci-layout"), "{\"imageLayoutVersion\":\"1.0.0\"}");
            }
            if (!Files.exists(dir.resolve("index.json"))) {
                Files.write(dir.resolve("index.json"), ManifestJson.index(Optional.empty(), List.of(), Optional.empty(), Map.of()));
            }
            return new OciLayout(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create an OCI layout in " + dir, e);
        }
    }

    public Path root() {
        return root;
    }

    @Override
    public String name() {
        return "oci:" + root;
    }

    /** The top-level entries of {@code index.json}. */
    public synchronized List<Descriptor> entries() {
        try {
            JsonNode manifests = JSON.readTree(root.resolve("index.json").toFile()).path("manifests");
            List<Descriptor> result = new ArrayList<>();
            for (int i = 0; i < manifests.size(); i++) {
                result.add(ManifestParser.descriptor(manifests.get(i), "index.json manifests[" + i + "]"));
            }
            return result;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + root.resolve("index.json"), e);
        }
    }

    @Override
    public Optional<FetchedManifest> manifest(Reference reference) {
        Optional<Descriptor> entry;
        if (reference instanceof Reference.Tag tag) {
            entry = entries().stream().filter(d -> tag.name().equals(d.annotations().get(REF_NAME))).findFirst();
        } else {
            Digest digest = ((Reference.ByDigest) reference).digest();
            entry = Optional.of(entries().stream().filter(e -> e.digest().equals(digest)).findFirst()
                    .orElse(Descriptor.of("", digest, -1)));
        }
        if (entry.isEmpty() || !Files.isRegularFile(blob(entry.get().digest()))) {
            return Optional.empty();
        }
        try (InputStream in = openBlob(entry.get())) {
            byte[] bytes = in.readAllBytes();
            String mediaType = entry.get().mediaType().isEmpty() ? mediaTypeOf(bytes) : entry.get().mediaType();
            return Optional.of(new FetchedManifest(bytes, mediaType, entry.get().digest()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String mediaTypeOf(byte[] bytes) {
        try {
            JsonNode node = JSON.readTree(bytes);
            String declared = node.path("mediaType").asText("");
            return !declared.isEmpty() ? declared : node.has("manifests") ? MediaTypes.OCI_INDEX : MediaTypes.OCI_MANIFEST;
        } catch (IOException e) {
            return MediaTypes.OCI_MANIFEST;
        }
    }

    @Override
    public synchronized Descriptor pushManifest(Reference reference, byte[] bytes, String mediaType) {
        FetchedManifest manifest = new FetchedManifest(bytes, mediaType, reference instanceof Reference.ByDigest d
                ? d.digest().recompute(bytes) : Digest.sha256(bytes));
        if (reference instanceof Reference.ByDigest d && !d.digest().equals(manifest.digest())) {
            throw new RegistryClientException(ErrorCode.DIGEST_INVALID, 0, "the manifest's digest is " + manifest.digest());
        }
        write(manifest.digest(), bytes);
        Descriptor descriptor = manifest.plainDescriptor();
        List<Descriptor> entries = new ArrayList<>(entries());
        if (reference instanceof Reference.Tag tag) {
            entries.removeIf(e -> tag.name().equals(e.annotations().get(REF_NAME)));
            entries.add(new Descriptor(mediaType, descriptor.digest(), descriptor.size(), Optional.empty(),
                    Map.of(REF_NAME, tag.name()), Optional.empty(), List.of()));
            writeIndex(entries);
        } else if (subject(manifest).isPresent() && entries.stream().noneMatch(e -> e.digest().equals(descriptor.digest()))) {
            Descriptor referrer = manifest.descriptor();
            entries.add(new Descriptor(mediaType, referrer.digest(), referrer.size(), referrer.artifactType(),
                    referrer.annotations(), Optional.empty(), List.of()));
            writeIndex(entries);
        }
        return manifest.descriptor();
    }

    @Override
    public boolean hasBlob(Digest digest) {
        return Files.isRegularFile(blob(digest));
    }

    @Override
    public InputStream openBlob(Descriptor blob) {
        Path file = blob(blob.digest());
        try {
            long size = blob.size() >= 0 ? blob.size() : Files.size(file);
            return new VerifyingInputStream(Files.newInputStream(file), blob.digest(), size);
        } catch (java.nio.file.NoSuchFileException e) {
            throw new RegistryClientException(ErrorCode.BLOB_UNKNOWN, 404, name() + " has no blob " + blob.digest());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public boolean pushBlob(Descriptor blob, BlobSource source, LongConsumer progress) {
        if (hasBlob(blob.digest())) {
            return false;
        }
        try (InputStream in = new VerifyingInputStream(source.open(), blob.digest(), blob.size())) {
            Path temp = store(in, progress).file;
            Files.move(temp, blob(blob.digest()), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            return true;
        } catch (IOException e) {
            throw new RegistryClientException(ErrorCode.DIGEST_INVALID, 0, "storing " + blob.digest() + " in " + name()
                    + ": " + e.getMessage(), e);
        }
    }

    @Override
    public Descriptor pushBlob(String mediaType, InputStream content, LongConsumer progress) {
        try {
            Stored stored = store(content, progress);
            Files.move(stored.file, blob(stored.digest), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            return Descriptor.of(mediaType, stored.digest, stored.size);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private record Stored(Path file, Digest digest, long size) {
    }

    private Stored store(InputStream in, LongConsumer progress) throws IOException {
        Path dir = root.resolve("blobs/sha256");
        Files.createDirectories(dir);
        Path temp = Files.createTempFile(dir, ".upload", ".part");
        MessageDigest hash = Digest.Algorithm.SHA256.newMessageDigest();
        long size = 0;
        try (OutputStream out = Files.newOutputStream(temp)) {
            byte[] buffer = new byte[64 * 1024];
            for (int n; (n = in.read(buffer)) > 0; ) {
                out.write(buffer, 0, n);
                hash.update(buffer, 0, n);
                size += n;
                progress.accept(n);
            }
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(temp);
            throw e;
        }
        return new Stored(temp, Digest.of(Digest.Algorithm.SHA256, hash.digest()), size);
    }

    @Override
    public List<Descriptor> referrers(Digest subject, Optional<String> artifactType) {
        List<Descriptor> result = new ArrayList<>();
        for (Descriptor entry : entries()) {
            if (entry.annotations().containsKey(REF_NAME) || !MediaTypes.MANIFESTS.contains(entry.mediaType())) {
                continue;
            }
            manifest(new Reference.ByDigest(entry.digest())).ifPresent(m -> {
                Optional<Descriptor> s = subject(m);
                if (s.isPresent() && s.get().digest().equals(subject)
                        && (artifactType.isEmpty() || m.descriptor().artifactType().equals(artifactType))) {
                    result.add(m.descriptor());
                }
            });
        }
        return result;
    }

    @Override
    public List<String> tags() {
        return entries().stream().map(e -> e.annotations().get(REF_NAME)).filter(t -> t != null).sorted().toList();
    }

    @Override
    public synchronized boolean deleteManifest(Digest digest) {
        List<Descriptor> entries = new ArrayList<>(entries());
        boolean removed = entries.removeIf(e -> e.digest().equals(digest));
        if (removed) {
            writeIndex(entries);
        }
        return removed;
    }

    private static Optional<Descriptor> subject(FetchedManifest manifest) {
        try {
            return manifest.parsed().subject();
        } catch (RegistryException e) {
            return Optional.empty();
        }
    }

    private Path blob(Digest digest) {
        return root.resolve("blobs").resolve(digest.algorithm().id()).resolve(digest.hex());
    }

    private void write(Digest digest, byte[] bytes) {
        try {
            Path target = blob(digest);
            Files.createDirectories(target.getParent());
            Path temp = Files.createTempFile(target.getParent(), ".manifest", ".part");
            Files.write(temp, bytes);
            Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void writeIndex(List<Descriptor> entries) {
        try {
            Path temp = Files.createTempFile(root, ".index", ".json");
            Files.write(temp, ManifestJson.index(Optional.empty(), entries, Optional.empty(), Map.of()));
            Files.move(temp, root.resolve("index.json"), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
