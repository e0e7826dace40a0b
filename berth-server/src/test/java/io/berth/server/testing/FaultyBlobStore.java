package io.berth.server.testing;

import io.berth.oci.Digest;
import io.berth.server.blob.BlobStore;
import java.io.UncheckedIOException;
import java.nio.file.FileSystemException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.stream.Stream;

/**
 * A {@link BlobStore} between the registry and its disk that fails the way a disk does, on demand: full (every write
 * fails with the operating system's "No space left on device", and the free space reads as none) or read-only
 * ("Read-only file system"). Writes to an upload's bytes go to {@code /dev/full} while the disk is full, so that they
 * fail in the kernel as they would on a full disk. Clearing the fault heals it, as freeing space or remounting would.
 */
public final class FaultyBlobStore implements BlobStore {
    /** How the disk fails. */
    public enum Fault {
        NONE(null), FULL("No space left on device"), READ_ONLY("Read-only file system");

        private final String reason;

        Fault(String reason) {
            this.reason = reason;
        }
    }

    private static final Path DEV_FULL = Path.of("/dev/full");
    private final BlobStore store;
    private volatile Fault fault = Fault.NONE;

    public FaultyBlobStore(BlobStore store) {
        this.store = store;
    }

    public void fail(Fault fault) {
        this.fault = fault;
    }

    private void write(Path path) {
        Fault f = fault;
        if (f != Fault.NONE) {
            throw new UncheckedIOException(new FileSystemException(path.toString(), null, f.reason));
        }
    }

    @Override
    public Optional<LocalBlob> blob(Digest digest) {
        return store.blob(digest);
    }

    @Override
    public Path uploadPath(UUID upload) {
        return fault == Fault.FULL ? DEV_FULL : store.uploadPath(upload);
    }

    @Override
    public void createUpload(UUID upload) {
        write(store.uploadPath(upload));
        store.createUpload(upload);
    }

    @Override
    public Optional<Long> uploadedLength(UUID upload) {
        return store.uploadedLength(upload);
    }

    @Override
    public List<UploadFile> uploadFiles() {
        return store.uploadFiles();
    }

    @Override
    public LocalBlob commit(UUID upload, Digest expected, Digest actual) {
        write(store.uploadPath(upload));
        return store.commit(upload, expected, actual);
    }

    @Override
    public void cancel(UUID upload) {
        store.cancel(upload); // removing works on a full disk; a read-only one refuses creating, not this test's point
    }

    @Override
    public boolean delete(Digest digest) {
        return store.delete(digest);
    }

    @Override
    public Stream<StoredFile> files() {
        return store.files();
    }

    @Override
    public Optional<Version> version(Digest digest) {
        return store.version(digest);
    }

    @Override
    public Optional<String> quarantine(Digest digest, Version version) {
        return store.quarantine(digest, version);
    }

    @Override
    public void checkWritable() {
        write(Path.of("uploads"));
        store.checkWritable();
    }

    @Override
    public long usableSpace() {
        return fault == Fault.FULL ? 0 : store.usableSpace();
    }
}
