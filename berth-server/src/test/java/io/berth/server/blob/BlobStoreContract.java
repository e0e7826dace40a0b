package io.berth.server.blob;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.groups.Tuple.tuple;

import io.berth.oci.Digest;
import io.berth.oci.ErrorCode;
import io.berth.oci.RegistryException;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.streams.WriteStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.NoSuchFileException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The contract every {@link BlobStore} driver passes (filesystem, S3): committed blobs are read whole or by range and
 * listed; uploads take bytes by streaming appends in chunks of any size and by blocking writes, continue at their
 * stored length on another node (a second driver instance on the same storage), are read back, and become visible
 * only by a commit whose digests match; nothing is left behind by a commit, a failed commit or a cancel.
 *
 * <p>A driver's test extends this with {@link #newStore}, which may be called more than once per test: each call is
 * another node on the same, initially empty storage.
 */
public abstract class BlobStoreContract {
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final int MIB = 1 << 20;

    /** A driver over this test's storage; a second call is another node on the same storage. */
    protected abstract BlobStore newStore(Vertx vertx);

    protected Vertx vertx;

    @BeforeEach
    void startVertx() {
        vertx = Vertx.vertx();
    }

    @AfterEach
    void closeVertx() throws Exception {
        vertx.close().toCompletionStage().toCompletableFuture().get(WAIT.toSeconds(), TimeUnit.SECONDS);
    }

    protected static byte[] random(int size, long seed) {
        byte[] bytes = new byte[size];
        new SplittableRandom(seed).nextBytes(bytes);
        return bytes;
    }

    /** Appends {@code chunks} to the upload in one streaming request starting at {@code offset}, on a Vert.x context. */
    protected void append(BlobStore store, UUID upload, long offset, List<byte[]> chunks) throws Exception {
        Promise<Void> done = Promise.promise();
        vertx.getOrCreateContext().runOnContext(v -> store.append(upload, offset)
                .compose(stream -> writeAll(stream, chunks, 0).transform(written -> {
                    Future<Void> ended = stream.end();
                    return written.succeeded() ? ended
                            : ended.transform(end -> Future.<Void>failedFuture(written.cause()));
                }))
                .onComplete(done));
        done.future().toCompletionStage().toCompletableFuture().get(WAIT.toSeconds(), TimeUnit.SECONDS);
    }

    /** Writes the chunks in order, pausing while the stream's queue is full (back-pressure), as a pipe would. */
    private static Future<Void> writeAll(WriteStream<Buffer> stream, List<byte[]> chunks, int from) {
        List<Future<Void>> writes = new ArrayList<>();
        for (int next = from; next < chunks.size(); next++) {
            if (stream.writeQueueFull()) {
                Promise<Void> drained = Promise.promise();
                stream.drainHandler(v -> drained.tryComplete());
                int resume = next;
                return Future.all(writes).compose(v -> drained.future()).compose(v -> writeAll(stream, chunks, resume));
            }
            writes.add(stream.write(Buffer.buffer(chunks.get(next))));
        }
        return Future.all(writes).mapEmpty();
    }

    protected static List<byte[]> split(byte[] content, int from, int to, int chunk) {
        List<byte[]> chunks = new ArrayList<>();
        for (int at = from; at < to; at += chunk) {
            chunks.add(Arrays.copyOfRange(content, at, Math.min(to, at + chunk)));
        }
        return chunks;
    }

    protected static byte[] readAll(InputStream in) throws Exception {
        try (in) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            in.transferTo(out);
            return out.toByteArray();
        }
    }

    /** A committed blob of {@code content}, through a blocking write. */
    protected static BlobStore.BlobStat commit(BlobStore store, byte[] content) {
        UUID id = UUID.randomUUID();
        store.createUpload(id);
        store.write(id, 0, content);
        Digest digest = Digest.sha256(content);
        return store.commit(id, digest, digest);
    }

    private static void assertMissing(Callable<?> read) {
        assertThatThrownBy(read::call).isInstanceOf(UncheckedIOException.class)
                .hasCauseInstanceOf(NoSuchFileException.class);
    }

    @Test
    void aCommittedBlobIsStatedReadWholeAndByRange() throws Exception {
        BlobStore store = newStore(vertx);
        byte[] content = random(300_000, 1);
        Digest digest = Digest.sha256(content);

        BlobStore.BlobStat committed = commit(store, content);

        assertThat(committed.size()).isEqualTo(content.length);
        assertThat(store.stat(digest)).hasValueSatisfying(stat -> {
            assertThat(stat.size()).isEqualTo(content.length);
            assertThat(stat.version()).isEqualTo(committed.version());
        });
        assertThat(readAll(store.read(digest, 0, content.length))).isEqualTo(content);
        assertThat(readAll(store.read(digest, 1000, 5000))).isEqualTo(Arrays.copyOfRange(content, 1000, 6000));
        assertThat(readAll(store.read(digest, content.length - 1, 1))).containsExactly(content[content.length - 1]);
        assertThat(readAll(store.read(digest, 7, 0))).isEmpty();
        assertThat(newStore(vertx).stat(digest)).as("another node sees it").map(BlobStore.BlobStat::size)
                .contains((long) content.length);
    }

    @Test
    void aMissingBlobHasNoStatNoBytesAndNothingToDeleteOrQuarantine() {
        BlobStore store = newStore(vertx);
        Digest missing = Digest.sha256(random(10, 2));
        BlobStore.Version someVersion = commit(store, random(10, 3)).version();

        assertThat(store.stat(missing)).isEmpty();
        assertMissing(() -> readAll(store.read(missing, 0, 10)));
        assertThat(store.delete(missing)).isFalse();
        assertThat(store.quarantine(missing, someVersion)).isEmpty();
        assertThat(store.downloadUrl(missing, Duration.ofMinutes(1))).as("nothing to download, or a URL that 404s")
                .satisfiesAnyOf(url -> assertThat(url).isEmpty(), url -> assertThat(url).isPresent());
    }

    @Test
    void streamingAppendsOfSmallAndLargeChunksAddUpToTheBlob() throws Exception {
        BlobStore store = newStore(vertx);
        byte[] content = random(13 * MIB + 12_345, 4);
        UUID id = UUID.randomUUID();
        store.createUpload(id);
        assertThat(store.uploadedLength(id)).contains(0L);

        // Requests of every shape: one byte; 64 KiB in 100-byte buffers; 6 MiB (more than S3's 5 MiB part minimum) in
        // 1 MiB buffers; ten bytes; then the rest in one buffer of 7 MiB and some.
        int[] ends = {1, 1 + 65_536, 1 + 65_536 + 6 * MIB, 11 + 65_536 + 6 * MIB, content.length};
        int[] chunk = {1, 100, MIB, 10, content.length};
        int at = 0;
        for (int i = 0; i < ends.length; i++) {
            append(store, id, at, split(content, at, ends[i], chunk[i]));
            at = ends[i];
            assertThat(store.uploadedLength(id)).as("after request " + i).contains((long) at);
        }
        assertThat(readAll(store.readUpload(id))).isEqualTo(content);

        Digest digest = Digest.sha256(content);
        assertThat(store.commit(id, digest, digest).size()).isEqualTo(content.length);
        assertThat(readAll(store.read(digest, 0, content.length))).isEqualTo(content);
        assertThat(store.uploadFiles()).isEmpty();
    }

    @Test
    void blockingWritesAppendAtTheStoredLength() throws Exception {
        BlobStore store = newStore(vertx);
        byte[] content = random(200_000, 5);
        UUID id = UUID.randomUUID();
        store.createUpload(id);

        store.write(id, 0, Arrays.copyOfRange(content, 0, 70_000));
        assertThat(store.uploadedLength(id)).contains(70_000L);
        store.write(id, 70_000, Arrays.copyOfRange(content, 70_000, content.length));

        assertThat(store.uploadedLength(id)).contains((long) content.length);
        assertThat(readAll(store.readUpload(id))).isEqualTo(content);
    }

    @Test
    void anUploadContinuesOnAnotherNodeAtItsStoredLength() throws Exception {
        BlobStore first = newStore(vertx);
        byte[] content = random(9 * MIB + 777, 6);
        UUID id = UUID.randomUUID();
        first.createUpload(id);
        append(first, id, 0, split(content, 0, 3 * MIB + 5, 64 * 1024));

        BlobStore second = newStore(vertx);
        assertThat(second.uploadedLength(id)).contains(3L * MIB + 5);
        assertThat(readAll(second.readUpload(id))).isEqualTo(Arrays.copyOfRange(content, 0, 3 * MIB + 5));
        append(second, id, 3L * MIB + 5, split(content, 3 * MIB + 5, 6 * MIB, 1000));
        second.write(id, 6L * MIB, Arrays.copyOfRange(content, 6 * MIB, 6 * MIB + 100));

        BlobStore third = newStore(vertx);
        append(third, id, 6L * MIB + 100, split(content, 6 * MIB + 100, content.length, MIB));
        assertThat(first.uploadedLength(id)).contains((long) content.length);
        Digest digest = Digest.sha256(content);
        first.commit(id, digest, digest);

        assertThat(readAll(third.read(digest, 0, content.length))).isEqualTo(content);
        assertThat(second.uploadFiles()).isEmpty();
    }

    @Test
    void aMatchingCommitMakesTheBlobVisibleAndTheUploadGoes() throws Exception {
        BlobStore store = newStore(vertx);
        byte[] content = random(1000, 7);
        Digest digest = Digest.sha256(content);
        UUID id = UUID.randomUUID();
        store.createUpload(id);
        store.write(id, 0, content);
        assertThat(store.stat(digest)).as("not before its commit").isEmpty();

        store.commit(id, digest, digest);

        assertThat(readAll(store.read(digest, 0, content.length))).isEqualTo(content);
        assertThat(store.uploadedLength(id)).isEmpty();
        assertThat(store.uploadFiles()).isEmpty();
    }

    @Test
    void aMismatchingCommitIsDigestInvalidAndLeavesNothingVisibleOrBehind() {
        BlobStore store = newStore(vertx);
        byte[] content = random(1000, 8);
        Digest actual = Digest.sha256(content);
        Digest claimed = Digest.sha256(random(1000, 9));
        UUID id = UUID.randomUUID();
        store.createUpload(id);
        store.write(id, 0, content);

        assertThatThrownBy(() -> store.commit(id, claimed, actual)).isInstanceOfSatisfying(RegistryException.class,
                e -> assertThat(e.code()).isEqualTo(ErrorCode.DIGEST_INVALID));

        assertThat(store.stat(claimed)).isEmpty();
        assertThat(store.stat(actual)).isEmpty();
        assertThat(store.uploadedLength(id)).isEmpty();
        assertThat(store.uploadFiles()).isEmpty();
    }

    @Test
    void aCommitReplacesExistingBytesWithANewVersionAndQuarantineTakesOnlyTheVersionItIsGiven() throws Exception {
        BlobStore store = newStore(vertx);
        byte[] content = random(4000, 10);
        Digest digest = Digest.sha256(content);
        BlobStore.Version old = commit(store, content).version();

        BlobStore.BlobStat replaced = commit(newStore(vertx), content);

        assertThat(replaced.version()).as("a new copy").isNotEqualTo(old);
        assertThat(store.stat(digest)).map(BlobStore.BlobStat::version).contains(replaced.version());
        assertThat(store.quarantine(digest, old)).as("replaced meanwhile: left alone").isEmpty();
        assertThat(readAll(store.read(digest, 0, content.length))).isEqualTo(content);

        assertThat(store.quarantine(digest, replaced.version())).isPresent();
        assertThat(store.stat(digest)).isEmpty();
        assertMissing(() -> readAll(store.read(digest, 0, content.length)));
        try (Stream<BlobStore.StoredFile> files = store.files()) {
            assertThat(files.map(BlobStore.StoredFile::digest)).as("quarantined bytes are no blob").doesNotContain(digest);
        }
        commit(store, content);
        assertThat(readAll(store.read(digest, 0, content.length))).as("a push puts them back").isEqualTo(content);
    }

    @Test
    void cancelDiscardsTheUploadOnceAndUnknownUploadsHaveNoLength() {
        BlobStore store = newStore(vertx);
        UUID id = UUID.randomUUID();
        store.createUpload(id);
        store.write(id, 0, random(5000, 11));

        store.cancel(id);
        store.cancel(id);
        store.cancel(UUID.randomUUID());

        assertThat(store.uploadedLength(id)).isEmpty();
        assertThat(store.uploadedLength(UUID.randomUUID())).isEmpty();
        assertThat(store.uploadFiles()).isEmpty();
    }

    @Test
    void deleteRemovesTheBytesOnce() {
        BlobStore store = newStore(vertx);
        byte[] content = random(100, 12);
        commit(store, content);
        Digest digest = Digest.sha256(content);

        assertThat(store.delete(digest)).isTrue();
        assertThat(store.delete(digest)).isFalse();
        assertThat(store.stat(digest)).isEmpty();
    }

    @Test
    void filesListsEveryCommittedBlobWithItsSizeButNoUpload() {
        BlobStore store = newStore(vertx);
        Instant before = Instant.now().minusSeconds(60);
        byte[] one = random(100, 13);
        byte[] two = random(2000, 14);
        commit(store, one);
        commit(store, two);
        UUID open = UUID.randomUUID();
        store.createUpload(open);
        store.write(open, 0, random(50, 15));

        try (Stream<BlobStore.StoredFile> files = store.files()) {
            List<BlobStore.StoredFile> listed = files.toList();
            assertThat(listed).extracting(BlobStore.StoredFile::digest, BlobStore.StoredFile::size)
                    .containsExactlyInAnyOrder(tuple(Digest.sha256(one), 100L), tuple(Digest.sha256(two), 2000L));
            assertThat(listed).allSatisfy(file -> assertThat(file.modified()).isAfter(before));
        }
        store.delete(Digest.sha256(one));
        try (Stream<BlobStore.StoredFile> files = store.files()) {
            assertThat(files.map(BlobStore.StoredFile::digest)).containsExactly(Digest.sha256(two));
        }
    }

    @Test
    void filesAreListedInDigestOrder() {
        BlobStore store = newStore(vertx);
        List<String> committed = new ArrayList<>();
        for (int i = 0; i < 40; i++) { // spread over many key prefixes (the file system's two-hex-digit shards)
            byte[] content = random(10 + i, 100 + i);
            commit(store, content);
            committed.add(Digest.sha256(content).toString());
        }

        try (Stream<BlobStore.StoredFile> files = store.files()) {
            // Garbage collection walks this listing beside the database's rows, which come in this order.
            assertThat(files.map(file -> file.digest().toString()).toList())
                    .isSorted()
                    .containsExactlyInAnyOrderElementsOf(committed);
        }
    }

    @Test
    void uploadFilesListsEveryUploadWithItsSizeUntilCommittedOrCancelled() {
        BlobStore store = newStore(vertx);
        Instant before = Instant.now().minusSeconds(60);
        byte[] content = random(3000, 16);
        Digest digest = Digest.sha256(content);
        UUID kept = UUID.randomUUID();
        UUID cancelled = UUID.randomUUID();
        UUID committed = UUID.randomUUID();
        UUID empty = UUID.randomUUID();
        for (UUID id : List.of(kept, cancelled, committed)) {
            store.createUpload(id);
            store.write(id, 0, content);
        }
        store.createUpload(empty);

        assertThat(newStore(vertx).uploadFiles()).extracting(BlobStore.UploadFile::upload)
                .containsExactlyInAnyOrder(kept, cancelled, committed, empty);
        store.cancel(cancelled);
        store.commit(committed, digest, digest);

        assertThat(store.uploadFiles()).extracting(BlobStore.UploadFile::upload, BlobStore.UploadFile::size)
                .containsExactlyInAnyOrder(tuple(kept, 3000L), tuple(empty, 0L));
        assertThat(store.uploadFiles()).allSatisfy(file -> assertThat(file.modified()).isAfter(before));
    }

    @Test
    void anEmptyBlobCanBeUploadedAndRead() throws Exception {
        BlobStore store = newStore(vertx);
        UUID id = UUID.randomUUID();
        store.createUpload(id);
        assertThat(readAll(store.readUpload(id))).isEmpty();
        Digest empty = Digest.sha256(new byte[0]);

        assertThat(store.commit(id, empty, empty).size()).isZero();

        assertThat(store.stat(empty)).map(BlobStore.BlobStat::size).contains(0L);
        assertThat(readAll(store.read(empty, 0, 0))).isEmpty();
    }

    @Test
    void aWriteCheckLeavesNothingBehindAndTheStoreDescribesItself() {
        BlobStore store = newStore(vertx);

        store.checkWritable();

        assertThat(store.uploadFiles()).isEmpty();
        try (Stream<BlobStore.StoredFile> files = store.files()) {
            assertThat(files).isEmpty();
        }
        assertThat(store.describe()).isNotBlank();
        store.usableSpace().ifPresent(free -> assertThat(free).isPositive());
    }

    @Test
    void twoNodesCommittingTheSameDigestAtOnceLeaveOneWholeBlob() throws Exception {
        byte[] content = random(2 * MIB + 3, 17);
        Digest digest = Digest.sha256(content);
        List<BlobStore> nodes = List.of(newStore(vertx), newStore(vertx));
        List<UUID> uploads = new ArrayList<>();
        for (BlobStore node : nodes) {
            UUID id = UUID.randomUUID();
            node.createUpload(id);
            node.write(id, 0, content);
            uploads.add(id);
        }
        ExecutorService threads = Executors.newFixedThreadPool(2);
        try {
            CompletableFuture<Void> start = new CompletableFuture<>();
            List<java.util.concurrent.Future<BlobStore.BlobStat>> commits = new ArrayList<>();
            for (int i = 0; i < 2; i++) {
                BlobStore node = nodes.get(i);
                UUID id = uploads.get(i);
                commits.add(threads.submit(() -> {
                    start.join();
                    return node.commit(id, digest, digest);
                }));
            }
            start.complete(null);
            for (var commit : commits) {
                assertThat(commit.get(WAIT.toSeconds(), TimeUnit.SECONDS).size()).isEqualTo(content.length);
            }
        } finally {
            threads.shutdownNow();
        }
        assertThat(readAll(nodes.get(0).read(digest, 0, content.length))).isEqualTo(content);
        assertThat(nodes.get(1).uploadFiles()).isEmpty();
        try (Stream<BlobStore.StoredFile> files = nodes.get(1).files()) {
            assertThat(files.map(BlobStore.StoredFile::digest)).containsExactly(digest);
        }
    }
}
