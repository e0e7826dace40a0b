package io.berth.bench;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * Big blobs as files for curl to send, kept in memory-backed storage ({@code /dev/shm} where it exists) so that
 * preparing them neither writes to the disk the servers measure on nor waits for it. Made once per bench run and
 * removed when the harness exits.
 */
final class BlobFiles {
    private final Map<String, Path> files = new HashMap<>(); // guarded by this
    private Path directory;

    /** The blob's file, written on first use. */
    synchronized Path of(Content.Blob blob) {
        return files.computeIfAbsent(blob.digest(), digest -> write(blob));
    }

    /** Deletes the blob's file, if written: the next {@link #of} writes it again. */
    synchronized void remove(Content.Blob blob) {
        Path file = files.remove(blob.digest());
        if (file != null) {
            file.toFile().delete();
        }
    }

    private Path write(Content.Blob blob) {
        try {
            Path file = directory().resolve(blob.digest().replace(':', '-'));
            try (OutputStream out = Files.newOutputStream(file)) {
                out.write(blob.body(), 0, blob.bodyLength());
                out.write(blob.tail());
            }
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write a blob file for curl", e);
        }
    }

    private Path directory() throws IOException {
        if (directory == null) {
            Path shm = Path.of("/dev/shm");
            directory = Files.isDirectory(shm) && Files.isWritable(shm)
                    ? Files.createTempDirectory(shm, "berth-bench-")
                    : Files.createTempDirectory("berth-bench-");
            Path created = directory;
            Runtime.getRuntime().addShutdownHook(new Thread(() -> Bench.deleteTree(created), "bench-blob-files"));
        }
        return directory;
    }
}
