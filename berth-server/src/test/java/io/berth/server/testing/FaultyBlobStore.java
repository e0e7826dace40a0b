package io.berth.server.testing;

import io.berth.oci.Digest;
import io.berth.server.blob.BlobStore;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.streams.WriteStream;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.FileSystemException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.UUID;
import java.util.stream.Stream;

/**
 * A {@link BlobStore} between the registry and its disk that fails the way a disk does, on demand: full (every write
 * fails with the operating system's "No space left on device", and the free space reads as none) or read-only
 * ("Read-only file system"), in the operating system's words. Clearing the fault heals it, as freeing space or remounting would.
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

    private final BlobStore store;
    private volatile Fault fault = Fault.NONE;

    public FaultyBlobStore(BlobStore store) {
        this.store = store;
    }

    public void fail(Fault fault) {
        this.fault = fault;
    }

    private void write(String what) {
        Fault f = fault;
        if (f != Fault.NONE) {
            throw new UncheckedIOException(new FileSystemException(what, null, f.reason));
        }
    }

    @Override
    public Optional<BlobStat> stat(Digest digest) {
        return store.stat(digest);
    }

    @Override
    public Optional<Path> localFile(Digest digest) {
        return store.localFile(digest);
    }

    @Override
    public InputStream read(Digest digest, long offset, long length) {
        return store.read(digest, offset, length);
    }

    @Override
    public void createUpload(UUID upload) {
        write("uploads/" + upload);
        store.createUpload(upload);
    }

    @Override
    public Optional<Long> uploadedLength(UUID upload) {
        return store.uploadedLength(upload);
    }

    /** On a full disk every write of the stream fails, as the kernel's would; a read-only one refuses opening. */
    @Override
    public Future<WriteStream<Buffer>> append(UUID upload, long offset) {
        if (fault == Fault.READ_ONLY) {
            return Future.failedFuture(new FileSystemException("uploads/" + upload, null, Fault.READ_ONLY.reason));
        }
        return store.append(upload, offset).map(stream -> new FailingWhenFull(stream, upload));
    }

    /** The driver's stream, whose writes fail with "No space left on device" while the disk is full. */
    private final class FailingWhenFull implements WriteStream<Buffer> {
        private final WriteStream<Buffer> stream;
        private final UUID upload;

        FailingWhenFull(WriteStream<Buffer> stream, UUID upload) {
            this.stream = stream;
            this.upload = upload;
        }

        @Override
        public Future<Void> write(Buffer data) {
            return fault == Fault.FULL
                    ? Future.failedFuture(new FileSystemException("uploads/" + upload, null, Fault.FULL.reason))
                    : stream.write(data);
        }

        @Override
        public Future<Void> end() {
            return stream.end();
        }

        @Override
        public WriteStream<Buffer> exceptionHandler(Handler<Throwable> handler) {
            stream.exceptionHandler(handler);
            return this;
        }

        @Override
        public WriteStream<Buffer> setWriteQueueMaxSize(int maxSize) {
            stream.setWriteQueueMaxSize(maxSize);
            return this;
        }

        @Override
        public boolean writeQueueFull() {
            return stream.writeQueueFull();
        }

        @Override
        public WriteStream<Buffer> drainHandler(Handler<Void> handler) {
            stream.drainHandler(handler);
            return this;
        }
    }

    @Override
    public void write(UUID upload, long offset, byte[] bytes) {
        write("uploads/" + upload);
        store.write(upload, offset, bytes);
    }

    @Override
    public InputStream readUpload(UUID upload) {
        return store.readUpload(upload);
    }

    @Override
    public List<UploadFile> uploadFiles() {
        return store.uploadFiles();
    }

    @Override
    public BlobStat commit(UUID upload, Digest expected, Digest actual) {
        write("uploads/" + upload);
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
    public Optional<String> quarantine(Digest digest, Version version) {
        return store.quarantine(digest, version);
    }

    @Override
    public void checkWritable() {
        write("uploads");
        store.checkWritable();
    }

    @Override
    public OptionalLong usableSpace() {
        return fault == Fault.FULL ? OptionalLong.of(0) : store.usableSpace();
    }

    @Override
    public String describe() {
        return "faulty " + store.describe();
    }
}
