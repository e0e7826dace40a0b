package io.berth.client.artifact;

import io.berth.client.ContentStore;
import io.berth.client.FetchedManifest;
import io.berth.oci.Descriptor;
import io.berth.oci.Digest;
import io.berth.oci.ErrorCode;
import io.berth.oci.Manifest;
import io.berth.oci.Reference;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.DigestInputStream;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;

/**
 * Pulls an artifact's layers into a directory, named by their {@code org.opencontainers.image.title} (layers without
 * one are skipped, as ORAS does). Every blob is verified against its digest while it streams to disk; a file appears
 * under its name only once verified. Layers annotated {@code io.deis.oras.content.unpack} are unpacked. Names that
 * would leave the directory are refused.
 */
final class ArtifactPuller {
    private final Transfers transfers;

    ArtifactPuller(Transfers transfers) {
        this.transfers = transfers;
    }

    List<Path> pull(ContentStore store, Reference reference, Path dir, Optional<String> platform, TransferListener listener) {
        FetchedManifest fetched = Artifacts.require(store, reference);
        Manifest manifest = fetched.parsed();
        if (manifest.isIndex()) {
            Descriptor child = Platforms.choose(manifest, platform, store.name() + "@" + fetched.digest());
            manifest = Artifacts.require(store, new Reference.ByDigest(child.digest())).parsed();
        }
        List<Callable<Path>> pulls = manifest.layers().stream()
                .filter(layer -> layer.annotations().containsKey(ArtifactPusher.TITLE))
                .<Callable<Path>>map(layer -> {
                    Path target = SafePaths.resolve(dir, layer.annotations().get(ArtifactPusher.TITLE));
                    return () -> pullLayer(store, layer, dir, target, listener);
                }).toList();
        return pulls.isEmpty() ? List.of() : transfers.all(pulls);
    }

    private Path pullLayer(ContentStore store, Descriptor layer, Path dir, Path target, TransferListener listener) {
        listener.started(layer, layer.annotations().get(ArtifactPusher.TITLE));
        try {
            Files.createDirectories(target.getParent());
            if ("true".equals(layer.annotations().get(ArtifactPusher.UNPACK))) {
                unpack(store, layer, dir, target, listener);
            } else {
                Path part = Files.createTempFile(target.getParent(), "." + target.getFileName(), ".part");
                try {
                    try (InputStream in = store.openBlob(layer); OutputStream out = Files.newOutputStream(part)) {
                        copy(in, out, layer, listener);
                    }
                    Files.move(part, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
                } finally {
                    Files.deleteIfExists(part);
                }
            }
        } catch (IOException e) {
            throw ErrorCode.DIGEST_INVALID.exception("pulling " + layer.digest() + " to " + target + ": " + e.getMessage());
        }
        listener.finished(layer, TransferListener.Outcome.DOWNLOADED);
        return target;
    }

    /** Unpacks into a temporary directory beside the target, then moves the verified tree into place. */
    private static void unpack(ContentStore store, Descriptor layer, Path dir, Path target, TransferListener listener)
            throws IOException {
        String title = layer.annotations().get(ArtifactPusher.TITLE);
        Path temp = Files.createTempDirectory(target.getParent(), ".unpack");
        try {
            Optional<Digest> tarDigest = Optional.ofNullable(layer.annotations().get(ArtifactPusher.TAR_DIGEST)).map(Digest::parse);
            var tarHash = Digest.Algorithm.SHA256.newMessageDigest();
            try (InputStream blob = new Counting(store.openBlob(layer), layer, listener)) {
                BufferedInputStream buffered = new BufferedInputStream(blob);
                InputStream tarStream = new DigestInputStream(gzipped(buffered) ? new GZIPInputStream(buffered) : buffered, tarHash);
                TarArchiveInputStream tar = new TarArchiveInputStream(tarStream);
                for (TarArchiveEntry entry; (entry = tar.getNextEntry()) != null; ) {
                    Path path = SafePaths.resolve(temp, entry.getName());
                    if (!path.startsWith(temp.resolve(title))) {
                        throw ErrorCode.MANIFEST_INVALID.exception("the archive entry " + entry.getName() + " is not under " + title + "/");
                    }
                    if (entry.isDirectory()) {
                        Files.createDirectories(path);
                    } else if (entry.isSymbolicLink()) {
                        Path link = Path.of(entry.getLinkName());
                        if (link.isAbsolute() || !path.getParent().resolve(link).normalize().startsWith(temp.resolve(title))) {
                            throw ErrorCode.MANIFEST_INVALID.exception("the link " + entry.getName() + " points outside " + title);
                        }
                        Files.createDirectories(path.getParent());
                        Files.createSymbolicLink(path, link);
                    } else if (entry.isFile()) {
                        Files.createDirectories(path.getParent());
                        Files.copy(tar, path, StandardCopyOption.REPLACE_EXISTING);
                        if ((entry.getMode() & 0100) != 0) {
                            path.toFile().setExecutable(true);
                        }
                    } else {
                        throw ErrorCode.MANIFEST_INVALID.exception("refusing the archive entry " + entry.getName()
                                + " (hard links and devices are not unpacked)");
                    }
                    Files.setLastModifiedTime(path, entry.getLastModifiedTime());
                }
                tarStream.transferTo(OutputStream.nullOutputStream());
                blob.transferTo(OutputStream.nullOutputStream()); // to the end, so that the digest is checked
            }
            Digest actual = Digest.of(Digest.Algorithm.SHA256, tarHash.digest());
            if (tarDigest.isPresent() && !tarDigest.get().equals(actual)) {
                throw ErrorCode.DIGEST_INVALID.exception("the unpacked archive of " + title + " has digest " + actual
                        + ", the manifest says " + tarDigest.get());
            }
            deleteTree(target);
            Files.move(temp.resolve(title), target, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            deleteTree(temp);
        }
    }

    private static boolean gzipped(BufferedInputStream in) throws IOException {
        in.mark(2);
        int a = in.read();
        int b = in.read();
        in.reset();
        return a == 0x1f && b == 0x8b;
    }

    private static void copy(InputStream in, OutputStream out, Descriptor layer, TransferListener listener) throws IOException {
        byte[] buffer = new byte[64 * 1024];
        for (int n; (n = in.read(buffer)) > 0; ) {
            out.write(buffer, 0, n);
            listener.progressed(layer, n);
        }
    }

    static void deleteTree(Path path) throws IOException {
        if (!Files.exists(path, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(path)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    /** Reports bytes read to the listener. */
    private static final class Counting extends java.io.FilterInputStream {
        private final Descriptor layer;
        private final TransferListener listener;

        Counting(InputStream in, Descriptor layer, TransferListener listener) {
            super(in);
            this.layer = layer;
            this.listener = listener;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = super.read(b, off, len);
            if (n > 0) {
                listener.progressed(layer, n);
            }
            return n;
        }
    }
}
