package io.berth.server.blob;

import io.berth.oci.Digest;
import io.berth.oci.ErrorCode;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.file.OpenOptions;
import io.vertx.core.streams.WriteStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;

/**
 * Blobs on the local file system. Layout under the root:
 * <pre>
 * root/
 * ├── blobs/
 * │   └── sha256/
 * │       └── ab/
 * │           └── ab12…ef        committed, immutable, named by digest
 * ├── uploads/
 * │   └── 7c0e…-…-…               an upload in progress, appended to by PATCH/PUT
 * └── quarantine/
 *     └── sha256/
 *         └── ab12…ef.1733540000000   bytes that did not hash to their digest, moved aside (never served)
 * </pre>
 * A blob becomes visible only by an atomic rename of a fully written, fsync'd and verified upload file; the
 * directory is fsync'd after the rename. The rename replaces a file already there: the new bytes are verified, the
 * old ones may have rotted, and a reader that has the old file open keeps reading it whole. A crash at any point leaves either no blob or the whole blob, and at
 * worst an orphaned upload file that upload expiry removes. Garbage collection deletes blob files
 * ({@code io.berth.server.gc.Collector}), each while the database holds its row in state {@code deleting}.
 *
 * <p>Several processes may share the root (nodes on one machine, or on a file system with atomic rename shared by
 * several): an upload file is appended to by one writer at a time (the upload layer's claim), a committed blob is only
 * ever replaced by a rename, so whatever a process sees is whole. Blobs are served with zero-copy {@code sendFile}
 * ({@link #localFile}).
 */
public final class FilesystemBlobStore implements BlobStore {
    private final Vertx vertx;
    private final Path root;
    private final Path blobs;
    private final Path uploads;
    private final Path quarantine;
    private final Set<Path> knownDirectories = ConcurrentHashMap.newKeySet();
    /** A commit's rename and a quarantine's move of the same blob take turns (by digest, striped). */
    private final Object[] moves = new Object[64];

    public FilesystemBlobStore(Vertx vertx, Path root) {
        this.vertx = vertx;
        this.root = root;
        this.blobs = root.resolve("blobs");
        this.uploads = root.resolve("uploads");
        this.quarantine = root.resolve("quarantine");
        for (int i = 0; i < moves.length; i++) {
            moves[i] = new Object();
        }
        try {
            Files.createDirectories(blobs);
            Files.createDirectories(uploads);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create blob directories under " + root, e);
        }
    }

    Path blobPath(Digest digest) {
        return blobs.resolve(digest.algorithm().id()).resolve(digest.hex().substring(0, 2)).resolve(digest.hex());
    }

    @Override
    public Optional<BlobStat> stat(Digest digest) {
        try {
            return Optional.of(stat(Files.readAttributes(blobPath(digest), BasicFileAttributes.class)));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The size and version of a file: its file key (device and inode), which a rename over it changes. */
    private static BlobStat stat(BasicFileAttributes attributes) {
        return new BlobStat(attributes.size(), new Version(attributes.fileKey() != null ? attributes.fileKey()
                : attributes.lastModifiedTime() + "/" + attributes.size()));
    }

    /**
     * The blob's file, without a look at the disk: the caller has just stat'd it ({@link #stat}), and a file removed
     * in between fails the send, as a file removed while it is being sent would.
     */
    @Override
    public Optional<Path> localFile(Digest digest) {
        return Optional.of(blobPath(digest));
    }

    @Override
    public InputStream read(Digest digest, long offset, long length) {
        return FileRange.open(blobPath(digest), offset, length);
    }

    Path uploadPath(UUID upload) {
        return uploads.resolve(upload.toString());
    }

    @Override
    public void createUpload(UUID upload) {
        try {
            Files.createFile(uploadPath(upload));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public Optional<Long> uploadedLength(UUID upload) {
        try {
            return Optional.of(Files.size(uploadPath(upload)));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Appends through a file opened for this request; the bytes are in the file (seen by any process) once it ends. */
    @Override
    public Future<WriteStream<Buffer>> append(UUID upload, long offset) {
        return vertx.fileSystem().open(uploadPath(upload).toString(), new OpenOptions().setWrite(true).setCreate(false))
                .map(file -> {
                    file.setWritePos(offset);
                    return new UploadFileStream(file);
                });
    }

    @Override
    public void write(UUID upload, long offset, byte[] bytes) {
        try (FileChannel file = FileChannel.open(uploadPath(upload), StandardOpenOption.WRITE)) {
            ByteBuffer buffer = ByteBuffer.wrap(bytes);
            for (long at = offset; buffer.hasRemaining(); ) {
                at += file.write(buffer, at);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write to upload " + upload, e);
        }
    }

    @Override
    public InputStream readUpload(UUID upload) {
        try {
            return Files.newInputStream(uploadPath(upload));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read upload " + upload, e);
        }
    }

    @Override
    public List<UploadFile> uploadFiles() {
        List<UploadFile> files = new ArrayList<>();
        try (var entries = Files.newDirectoryStream(uploads)) {
            for (Path entry : entries) {
                Optional<UUID> id = sessionId(entry.getFileName().toString());
                if (id.isEmpty()) {
                    continue;
                }
                try {
                    BasicFileAttributes attributes = Files.readAttributes(entry, BasicFileAttributes.class);
                    if (attributes.isRegularFile()) {
                        files.add(new UploadFile(id.get(), attributes.size(), attributes.lastModifiedTime().toInstant()));
                    }
                } catch (NoSuchFileException e) {
                    // committed or cancelled while listing
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list the upload files in " + uploads, e);
        }
        return files;
    }

    private static Optional<UUID> sessionId(String name) {
        try {
            UUID id = UUID.fromString(name);
            return id.toString().equals(name) ? Optional.of(id) : Optional.empty();
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    @Override
    public BlobStat commit(UUID upload, Digest expected, Digest actual) {
        Path source = uploadPath(upload);
        if (!expected.equals(actual)) {
            cancel(upload);
            throw ErrorCode.DIGEST_INVALID.exception("content digest " + actual + " does not match " + expected);
        }
        Path target = blobPath(expected);
        try {
            try (FileChannel channel = FileChannel.open(source, StandardOpenOption.WRITE)) {
                channel.force(true);
            }
            BlobStat committed = stat(Files.readAttributes(source, BasicFileAttributes.class)); // a rename keeps it
            createDirectoriesOnce(target.getParent());
            synchronized (movesOf(expected)) {
                moveAtomically(source, target);
            }
            syncDirectory(target.getParent());
            return committed;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot commit upload " + upload + " as " + expected, e);
        }
    }

    /** Creates the blob's fan-out directory the first time this store commits into it (saves a mkdir per commit). */
    private void createDirectoriesOnce(Path directory) throws IOException {
        if (!knownDirectories.contains(directory)) {
            Files.createDirectories(directory);
            knownDirectories.add(directory);
        }
    }

    private Object movesOf(Digest digest) {
        return moves[Math.floorMod(digest.hex().hashCode(), moves.length)];
    }

    /** rename(2): replaces the target in one step, so that a reader sees the old file or the new one, never a mix. */
    private static void moveAtomically(Path source, Path target) throws IOException {
        try {
            Files.move(source, target, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            throw new IOException("the blob store needs a file system with atomic rename", e);
        }
    }

    private static void syncDirectory(Path directory) throws IOException {
        try (FileChannel channel = FileChannel.open(directory, StandardOpenOption.READ)) {
            channel.force(true);
        }
    }

    @Override
    public void cancel(UUID upload) {
        try {
            Files.deleteIfExists(uploadPath(upload));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public Stream<StoredFile> files() {
        // Directory by directory (blobs/<algorithm>/<xx>/<hex>), each sorted (at most a few thousand names at a time)
        // so that the whole listing is in digest order, each file's attributes read once: a Files.walk with
        // a relativize per entry allocated about 2.5 KiB per blob, which at 120,000 blobs was most of what a
        // collection allocates (bench/run --only gc with a flight recording).
        return entries(blobs).filter(Files::isDirectory).sorted().flatMap(algorithm -> {
            String prefix = algorithm.getFileName() + ":";
            return entries(algorithm).filter(Files::isDirectory).sorted()
                    .flatMap(shard -> entries(shard).sorted().flatMap(file -> storedFile(prefix, file).stream()));
        });
    }

    /** The entries of {@code directory}, listed lazily and closed with the stream; none when it is gone. */
    private static Stream<Path> entries(Path directory) {
        try {
            return Files.list(directory);
        } catch (NoSuchFileException e) {
            return Stream.empty();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list the blobs under " + directory, e);
        }
    }

    /** The blob at {@code path}, if its name is a digest (anything else there is not Berth's) and it still exists. */
    private Optional<StoredFile> storedFile(String algorithmPrefix, Path path) {
        Digest digest;
        try {
            digest = Digest.parse(algorithmPrefix + path.getFileName());
        } catch (RuntimeException e) {
            return Optional.empty();
        }
        try {
            BasicFileAttributes attributes = Files.readAttributes(path, BasicFileAttributes.class);
            return attributes.isRegularFile()
                    ? Optional.of(new StoredFile(digest, attributes.size(), attributes.lastModifiedTime().toInstant()))
                    : Optional.empty();
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public Optional<String> quarantine(Digest digest, Version version) {
        Path source = blobPath(digest);
        Path target = quarantine.resolve(digest.algorithm().id())
                .resolve(digest.hex() + "." + System.currentTimeMillis());
        try {
            Files.createDirectories(target.getParent());
            synchronized (movesOf(digest)) {
                if (!stat(digest).map(BlobStat::version).equals(Optional.of(version))) {
                    return Optional.empty();
                }
                Files.move(source, target, StandardCopyOption.ATOMIC_MOVE);
            }
            syncDirectory(source.getParent());
            return Optional.of(target.toString());
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot quarantine blob " + digest + " to " + target, e);
        }
    }

    @Override
    public void checkWritable() {
        Path probe = uploads.resolve(".write-check");
        try {
            Files.write(probe, new byte[] {1});
            Files.delete(probe);
        } catch (IOException e) {
            try {
                Files.deleteIfExists(probe);
            } catch (IOException ignored) {
                // the check has failed already; its file goes with the next one that succeeds
            }
            throw new UncheckedIOException("cannot write to " + uploads, e);
        }
    }

    @Override
    public OptionalLong usableSpace() {
        try {
            return OptionalLong.of(Files.getFileStore(uploads).getUsableSpace());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the free space of " + uploads, e);
        }
    }

    @Override
    public String describe() {
        return "filesystem " + root;
    }

    @Override
    public boolean delete(Digest digest) {
        try {
            return Files.deleteIfExists(blobPath(digest));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
