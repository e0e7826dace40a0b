package io.berth.server.metrics;

import io.berth.oci.Digest;
import io.berth.oci.RegistryException;
import io.berth.server.blob.BlobStore;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.streams.WriteStream;
import java.io.InputStream;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.UUID;
import java.util.function.Supplier;
import java.util.stream.Stream;

/**
 * A {@link BlobStore} that measures the one it wraps, per driver and operation: how many calls and how long they
 * took ({@code berth_storage_operation_seconds{driver="s3",operation="commit"}}, a timer: count, sum, max), and how
 * many failed ({@code berth_storage_errors_total}): a full disk, a lost mount, an object store that refuses or times
 * out. A client's error (a digest that does not match, an append at the wrong offset: {@link RegistryException}) is
 * not the storage's and is not counted as one. Reads and appends are timed until their stream is open (the first
 * byte's latency; the transfer is the client's pace), listings until their first page.
 */
final class CountingBlobStore implements BlobStore {
    static final String ERRORS = "berth.storage.errors";
    static final String OPERATIONS = "berth.storage.operation";

    /** What the meters call the operations; some interface methods share one (a stat, a listing). */
    enum Operation {
        STAT, READ, CREATE, WRITE, COMMIT, CANCEL, DELETE, QUARANTINE, LIST, CHECK;

        String tag() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    private record Meters(Timer timer, Counter errors) {
    }

    private final BlobStore store;
    private final Map<Operation, Meters> meters = new EnumMap<>(Operation.class);

    CountingBlobStore(BlobStore store, String driver, MeterRegistry registry) {
        this.store = store;
        for (Operation operation : Operation.values()) {
            meters.put(operation, new Meters(
                    Timer.builder(OPERATIONS).description("Blob storage operations, by driver and operation")
                            .tag("driver", driver).tag("operation", operation.tag()).register(registry),
                    Counter.builder(ERRORS).description("Blob storage operations that failed")
                            .tag("driver", driver).tag("operation", operation.tag()).register(registry)));
        }
    }

    private <T> T measured(Operation operation, Supplier<T> call) {
        Meters meter = meters.get(operation);
        long start = System.nanoTime();
        try {
            return call.get();
        } catch (RegistryException e) {
            throw e;
        } catch (RuntimeException | Error e) {
            meter.errors().increment();
            throw e;
        } finally {
            meter.timer().record(System.nanoTime() - start, java.util.concurrent.TimeUnit.NANOSECONDS);
        }
    }

    private void measured(Operation operation, Runnable call) {
        measured(operation, () -> {
            call.run();
            return null;
        });
    }

    @Override
    public Optional<BlobStat> stat(Digest digest) {
        return measured(Operation.STAT, () -> store.stat(digest));
    }

    /** Not measured: a stat of a local file on every large GET, whose failure shows in the read that follows. */
    @Override
    public Optional<Path> localFile(Digest digest) {
        return store.localFile(digest);
    }

    @Override
    public InputStream read(Digest digest, long offset, long length) {
        return measured(Operation.READ, () -> store.read(digest, offset, length));
    }

    @Override
    public Optional<URI> downloadUrl(Digest digest, Duration ttl) {
        return measured(Operation.READ, () -> store.downloadUrl(digest, ttl));
    }

    @Override
    public boolean delete(Digest digest) {
        return measured(Operation.DELETE, () -> store.delete(digest));
    }

    @Override
    public Stream<StoredFile> files() {
        return measured(Operation.LIST, store::files);
    }

    @Override
    public Optional<String> quarantine(Digest digest, Version version) {
        return measured(Operation.QUARANTINE, () -> store.quarantine(digest, version));
    }

    @Override
    public void createUpload(UUID upload) {
        measured(Operation.CREATE, () -> store.createUpload(upload));
    }

    @Override
    public Optional<Long> uploadedLength(UUID upload) {
        return measured(Operation.STAT, () -> store.uploadedLength(upload));
    }

    /** Timed until the stream is open; a stream that fails later (a part that does not go up) counts as an error. */
    @Override
    public Future<WriteStream<Buffer>> append(UUID upload, long offset) {
        Meters meter = meters.get(Operation.WRITE);
        long start = System.nanoTime();
        Future<WriteStream<Buffer>> opened;
        try {
            opened = store.append(upload, offset);
        } catch (RuntimeException e) {
            meter.errors().increment();
            throw e;
        }
        return opened.andThen(done -> {
            meter.timer().record(System.nanoTime() - start, java.util.concurrent.TimeUnit.NANOSECONDS);
            if (done.failed() && !(done.cause() instanceof RegistryException)) {
                meter.errors().increment();
            }
        }).map(stream -> new CountedStream(stream, meter.errors()));
    }

    @Override
    public void write(UUID upload, long offset, byte[] bytes) {
        measured(Operation.WRITE, () -> store.write(upload, offset, bytes));
    }

    @Override
    public InputStream readUpload(UUID upload) {
        return measured(Operation.READ, () -> store.readUpload(upload));
    }

    @Override
    public BlobStat commit(UUID upload, Digest expected, Digest actual) {
        return measured(Operation.COMMIT, () -> store.commit(upload, expected, actual));
    }

    @Override
    public void cancel(UUID upload) {
        measured(Operation.CANCEL, () -> store.cancel(upload));
    }

    @Override
    public List<UploadFile> uploadFiles() {
        return measured(Operation.LIST, store::uploadFiles);
    }

    /** Timed, but a failure is the readiness check's finding, reported there rather than as an error here. */
    @Override
    public void checkWritable() {
        Timer timer = meters.get(Operation.CHECK).timer();
        long start = System.nanoTime();
        try {
            store.checkWritable();
        } finally {
            timer.record(System.nanoTime() - start, java.util.concurrent.TimeUnit.NANOSECONDS);
        }
    }

    @Override
    public OptionalLong usableSpace() {
        return store.usableSpace();
    }

    @Override
    public String describe() {
        return store.describe();
    }

    /** An append's stream whose failures (on write or at the end) count as errors of {@code write}. */
    private record CountedStream(WriteStream<Buffer> stream, Counter errors) implements WriteStream<Buffer> {
        private <T> Future<T> counted(Future<T> result) {
            return result.onFailure(failure -> {
                if (!(failure instanceof RegistryException)) {
                    errors.increment();
                }
            });
        }

        @Override
        public Future<Void> write(Buffer data) {
            return stream.write(data);
        }

        @Override
        public Future<Void> end() {
            return counted(stream.end());
        }

        @Override
        public WriteStream<Buffer> exceptionHandler(io.vertx.core.Handler<Throwable> handler) {
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
        public WriteStream<Buffer> drainHandler(io.vertx.core.Handler<Void> handler) {
            stream.drainHandler(handler);
            return this;
        }
    }
}
