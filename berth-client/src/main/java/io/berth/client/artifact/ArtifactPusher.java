package io.berth.client.artifact;

import io.berth.client.BlobSource;
import io.berth.client.ContentStore;
import io.berth.client.ManifestJson;
import io.berth.oci.Descriptor;
import io.berth.oci.Digest;
import io.berth.oci.ErrorCode;
import io.berth.oci.MediaTypes;
import io.berth.oci.Reference;
import java.io.IOException;
import java.io.InputStream;
import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;

/**
 * Pushes files and directories as one artifact: layers in parallel (a blob the store has is skipped), the config or
 * the empty descriptor, then the manifest. Directories are packed and streamed straight into the upload, hashed on the
 * way, without a temporary file.
 */
final class ArtifactPusher {
    static final String TITLE = "org.opencontainers.image.title";
    static final String CREATED = "org.opencontainers.image.created";
    static final String UNPACK = "io.deis.oras.content.unpack";
    static final String TAR_DIGEST = "io.deis.oras.content.digest";
    static final byte[] EMPTY_JSON = "{}".getBytes(StandardCharsets.UTF_8);
    static final Descriptor EMPTY = Descriptor.of(MediaTypes.OCI_EMPTY, Digest.sha256(EMPTY_JSON), EMPTY_JSON.length);

    private final Transfers transfers;

    ArtifactPusher(Transfers transfers) {
        this.transfers = transfers;
    }

    Descriptor push(ContentStore store, Optional<Reference> reference, PushSpec spec, Optional<Descriptor> subject,
                    TransferListener listener) {
        Set<String> titles = new HashSet<>();
        for (FileSpec file : spec.files()) {
            if (!Files.exists(file.path())) {
                throw ErrorCode.NOT_FOUND.exception(file.path() + " does not exist");
            }
            if (!titles.add(file.titleOrName())) {
                throw ErrorCode.MANIFEST_INVALID.exception("two files are named " + file.titleOrName()
                        + "; a pull could not tell them apart");
            }
        }
        List<Callable<Descriptor>> uploads = spec.files().stream()
                .<Callable<Descriptor>>map(f -> () -> pushFile(store, f, true, listener)).toList();
        List<Descriptor> layers = uploads.isEmpty() ? List.of() : transfers.all(uploads);
        Descriptor config = spec.config().map(c -> pushFile(store, c, false, listener)).orElseGet(() -> {
            store.pushBlob(EMPTY, BlobSource.of(EMPTY_JSON), n -> { });
            return EMPTY;
        });
        Optional<String> artifactType = spec.artifactType()
                .or(() -> spec.config().isEmpty() ? Optional.of(PushSpec.UNKNOWN_ARTIFACT) : Optional.empty());
        Map<String, String> annotations = new LinkedHashMap<>(spec.annotations());
        annotations.putIfAbsent(CREATED, Instant.now().truncatedTo(ChronoUnit.SECONDS).toString());
        byte[] manifest = ManifestJson.image(artifactType, config, layers, subject, annotations);
        Reference target = reference.orElse(new Reference.ByDigest(Digest.sha256(manifest)));
        return store.pushManifest(target, manifest, MediaTypes.OCI_MANIFEST);
    }

    private Descriptor pushFile(ContentStore store, FileSpec file, boolean titled, TransferListener listener) {
        Map<String, String> annotations = titled ? Map.of(TITLE, file.titleOrName()) : Map.of();
        if (Files.isDirectory(file.path())) {
            return pushDirectory(store, file, annotations, listener);
        }
        String mediaType = file.mediaType().orElse(titled ? FileSpec.DEFAULT_FILE_TYPE : MediaTypes.OCI_EMPTY);
        Descriptor blob = withAnnotations(describe(file.path(), mediaType), annotations);
        listener.started(blob, file.titleOrName());
        boolean uploaded = store.pushBlob(blob, BlobSource.of(file.path()), n -> listener.progressed(blob, n));
        listener.finished(blob, uploaded ? TransferListener.Outcome.UPLOADED : TransferListener.Outcome.SKIPPED);
        return blob;
    }

    private Descriptor pushDirectory(ContentStore store, FileSpec dir, Map<String, String> annotations, TransferListener listener) {
        String mediaType = dir.mediaType().orElse(FileSpec.DEFAULT_DIRECTORY_TYPE);
        boolean gzip = mediaType.endsWith("gzip");
        Descriptor unknown = Descriptor.of(mediaType, EMPTY.digest(), -1);
        listener.started(unknown, dir.titleOrName() + "/");
        try (PipedInputStream in = new PipedInputStream(1 << 20)) {
            PipedOutputStream out = new PipedOutputStream(in);
            CompletableFuture<Digest> packed = CompletableFuture.supplyAsync(() -> {
                try (out) {
                    return DirectoryPacker.pack(dir.path(), dir.titleOrName(), gzip, out);
                } catch (IOException e) {
                    throw new UncheckedIOException("packing " + dir.path() + ": " + e.getMessage(), e);
                }
            }, runnable -> new Thread(runnable, "berth-pack").start());
            Descriptor blob = store.pushBlob(mediaType, drainOnFailure(in, packed), n -> listener.progressed(unknown, n));
            Digest tarDigest = packed.join();
            Map<String, String> all = new LinkedHashMap<>(annotations);
            all.put(TAR_DIGEST, tarDigest.toString());
            all.put(UNPACK, "true");
            listener.finished(unknown, TransferListener.Outcome.UPLOADED);
            return withAnnotations(blob, all);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The pipe, failing the upload's read when packing failed rather than ending it early as if complete. */
    private static InputStream drainOnFailure(PipedInputStream in, CompletableFuture<Digest> packed) {
        return new java.io.FilterInputStream(in) {
            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                int n = super.read(b, off, len);
                if (n < 0) {
                    Throwable failure = packed.handle((digest, e) -> e).join(); // the packer closes the pipe, then ends
                    if (failure != null) {
                        throw new IOException("packing failed: " + failure.getMessage(), failure);
                    }
                }
                return n;
            }
        };
    }

    static Descriptor describe(Path file, String mediaType) {
        try (InputStream in = Files.newInputStream(file)) {
            var hash = Digest.Algorithm.SHA256.newMessageDigest();
            byte[] buffer = new byte[64 * 1024];
            long size = 0;
            for (int n; (n = in.read(buffer)) > 0; ) {
                hash.update(buffer, 0, n);
                size += n;
            }
            return Descriptor.of(mediaType, Digest.of(Digest.Algorithm.SHA256, hash.digest()), size);
        } catch (IOException e) {
            throw new UncheckedIOException("reading " + file + ": " + e.getMessage(), e);
        }
    }

    static Descriptor withAnnotations(Descriptor d, Map<String, String> annotations) {
        return new Descriptor(d.mediaType(), d.digest(), d.size(), d.artifactType(), annotations, d.platform(), d.urls());
    }
}
