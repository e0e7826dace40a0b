package io.berth.server.metrics;

import io.berth.oci.Digest;
import io.berth.oci.RegistryException;
import io.berth.server.blob.BlobStore;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Supplier;

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
    private final Counter commit;
    private final Counter cancel;
    private final Counter delete;
    private final Counter list;

    CountingBlobStore(BlobStore store, MeterRegistry registry) {
        this.store = store;
        this.read = counter(registry, "read");
        this.create = counter(registry, "create");
        this.stat = counter(registry, "stat");
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
    public Optional<LocalBlob> blob(Digest digest) {
        return counted(read, () -> store.blob(digest));
    }

    @Override
    public Path uploadPath(UUID upload) {
        return store.uploadPath(upload);
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
    public List<UploadFile> uploadFiles() {
        return counted(list, store::uploadFiles);
    }

    @Override
    public LocalBlob commit(UUID upload, Digest expected, Digest actual) {
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
    public java.util.stream.Stream<StoredFile> files() {
        return store.files();
    }

    @Override
    public Optional<Version> version(Digest digest) {
        return counted(stat, () -> store.version(digest));
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
    public long usableSpace() {
        return store.usableSpace();
    }
}
