package io.berth.server.metrics;

import io.berth.oci.Digest;
import io.berth.oci.RegistryException;
import io.berth.server.blob.BlobStore;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.streams.WriteStream;
import java.io.InputStream;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.UUID;
import java.util.function.Supplier;
import java.util.stream.Stream;

/**
 * A {@link BlobStore} that counts the failures of the one it wraps by operation
 * ({@code berth_storage_errors_total{operation="commit"}}): a full disk, a lost mount, permissions. A client's
 * error (a digest that does not match, {@link RegistryException}) is not the storage's and is not counted.
 */
final class CountingBlobStore implements BlobStore {
    static final String ERRORS = "berth.storage.errors";

    private final BlobStore store;
    private final Counter read;
    private final Counter create;
    private final Counter stat;
    private final Counter write;
    private final Counter commit;
    private final Counter cancel;
    private final Counter delete;
    private final Counter list;

    CountingBlobStore(BlobStore store, MeterRegistry registry) {
        this.store = store;
        this.read = counter(registry, "read");
        this.create = counter(registry, "create");
        this.stat = counter(registry, "stat");
        this.write = counter(registry, "write");
        this.commit = counter(registry, "commit");
        this.cancel = counter(registry, "cancel");
        this.delete = counter(registry, "delete");
        this.list = counter(registry, "list");
    }

    private static Counter counter(MeterRegistry registry, String operation) {
        return Counter.builder(ERRORS).description("Blob storage operations that failed")
                .tag("operation", operation).register(registry);
    }

    private static <T> T counted(Counter errors, Supplier<T> operation) {
        try {
            return operation.get();
        } catch (RegistryException e) {
            throw e;
        } catch (RuntimeException | Error e) {
            errors.increment();
            throw e;
        }
    }

    @Override
    public Optional<BlobStat> stat(Digest digest) {
        return counted(stat, () -> store.stat(digest));
    }

    @Override
    public Optional<Path> localFile(Digest digest) {
        return store.localFile(digest);
    }

    @Override
    public InputStream read(Digest digest, long offset, long length) {
        return counted(read, () -> store.read(digest, offset, length));
    }

    @Override
    public Optional<URI> downloadUrl(Digest digest, Duration ttl) {
        return counted(read, () -> store.downloadUrl(digest, ttl));
    }

    @Override
    public void createUpload(UUID upload) {
        counted(create, () -> {
            store.createUpload(upload);
            return null;
        });
    }

    @Override
    public Optional<Long> uploadedLength(UUID upload) {
        return counted(stat, () -> store.uploadedLength(upload));
    }

    @Override
    public Future<WriteStream<Buffer>> append(UUID upload, long offset) {
        return counted(write, () -> store.append(upload, offset)).onFailure(e -> write.increment());
    }

    @Override
    public void write(UUID upload, long offset, byte[] bytes) {
        counted(write, () -> {
            store.write(upload, offset, bytes);
            return null;
        });
    }

    @Override
    public InputStream readUpload(UUID upload) {
        return counted(read, () -> store.readUpload(upload));
    }

    @Override
    public List<UploadFile> uploadFiles() {
        return counted(list, store::uploadFiles);
    }

    @Override
    public BlobStat commit(UUID upload, Digest expected, Digest actual) {
        return counted(commit, () -> store.commit(upload, expected, actual));
    }

    @Override
    public void cancel(UUID upload) {
        counted(cancel, () -> {
            store.cancel(upload);
            return null;
        });
    }

    @Override
    public boolean delete(Digest digest) {
        return counted(delete, () -> store.delete(digest));
    }

    @Override
    public Stream<StoredFile> files() {
        return counted(list, store::files);
    }

    @Override
    public Optional<String> quarantine(Digest digest, Version version) {
        return counted(delete, () -> store.quarantine(digest, version));
    }

    @Override
    public void checkWritable() {
        store.checkWritable(); // a failure is the readiness check's finding, reported there
    }

    @Override
    public OptionalLong usableSpace() {
        return store.usableSpace();
    }

    @Override
    public String describe() {
        return store.describe();
    }
}
