package io.berth.server.blob;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.berth.oci.Digest;
import io.berth.oci.ErrorCode;
import io.berth.oci.RegistryException;
import io.vertx.core.Context;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.streams.WriteStream;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * What only the S3 driver does, against s3proxy in this JVM: parts behind chunks smaller than a part, spooled tails
 * continued by another node, commits by server-side copy or multipart assembly, presigned downloads,
 * conditional quarantine, back-pressure while a part goes up. The behaviour every driver shares is
 * {@code BlobStoreContract}'s.
 */
class S3BlobStoreTest {
    private static final int MIB = 1 << 20;
    @TempDir
    static Path directory;
    private static S3ProxyServer s3;
    private static Vertx vertx;

    @BeforeAll
    static void start() {
        s3 = S3ProxyServer.inProcess(directory);
        vertx = Vertx.vertx();
    }

    @AfterAll
    static void stop() throws Exception {
        vertx.close().await();
        s3.close();
    }

    /** A node of its own (its own client and worker pool) on a prefix of the shared bucket. */
    private static S3BlobStore node(String prefix) {
        return S3BlobStore.open(s3.config().withPrefix(prefix), vertx);
    }

    private static byte[] random(int size, long seed) {
        byte[] bytes = new byte[size];
        new Random(seed).nextBytes(bytes);
        return bytes;
    }

    private static List<String> keys(S3BlobStore store, String prefix) {
        S3Bucket bucket = store.bucket();
        try (var objects = bucket.list(prefix)) {
            // s3proxy's filesystem provider lists its directories as keys ending in /; S3 has none
            return objects.map(S3Object::key).filter(key -> !key.endsWith("/")).sorted().collect(Collectors.toList());
        }
    }

    /** Appends {@code bytes} at {@code offset} on an event loop, in 64 KiB writes that respect back-pressure. */
    private static AppendResult append(S3BlobStore store, UUID upload, long offset, byte[] bytes) throws Exception {
        CompletableFuture<AppendResult> done = new CompletableFuture<>();
        Context context = vertx.getOrCreateContext();
        context.runOnContext(v -> store.append(upload, offset).onFailure(done::completeExceptionally).onSuccess(stream -> {
            AtomicInteger full = new AtomicInteger();
            Promise<Void> written = Promise.promise();
            new Object() {
                int position;

                void pump() {
                    while (position < bytes.length) {
                        int length = Math.min(64 << 10, bytes.length - position);
                        stream.write(Buffer.buffer(Arrays.copyOfRange(bytes, position, position + length)));
                        position += length;
                        if (stream.writeQueueFull()) {
                            full.incrementAndGet();
                            stream.drainHandler(drained -> pump());
                            return;
                        }
                    }
                    written.tryComplete();
                }
            }.pump();
            written.future().compose(w -> stream.end())
                    .onSuccess(ended -> done.complete(new AppendResult(full.get())))
                    .onFailure(done::completeExceptionally);
        }));
        return done.get(60, TimeUnit.SECONDS);
    }

    private record AppendResult(int timesFull) {
    }

    @Test
    void chunksSmallerThanAPartGoOnOnAnotherNodeAndCommitWithoutReadingBack() throws Exception {
        S3BlobStore one = node("nodes/");
        S3BlobStore two = node("nodes/");
        byte[] content = random(13 * MIB + 12345, 1);
        UUID upload = UUID.randomUUID();
        one.createUpload(upload);

        append(one, upload, 0, Arrays.copyOfRange(content, 0, 3 * MIB));
        assertThat(keys(one, "nodes/uploads/" + upload)).as("3 MiB: below a part, spooled as the tail")
                .containsExactly("nodes/uploads/" + upload + "/state", "nodes/uploads/" + upload + "/tail");
        assertThat(two.uploadedLength(upload)).contains(3L * MIB);

        append(two, upload, 3 * MIB, Arrays.copyOfRange(content, 3 * MIB, 6 * MIB));
        S3UploadState state = two.uploads().existingState(upload);
        assertThat(state.parts()).as("the other node prepended the tail and stored a part").hasSize(1);
        assertThat(keys(two, "nodes/uploads/" + upload)).contains("nodes/uploads/" + upload + "/part-00001");
        assertThat(state.parts().get(0).size()).isEqualTo(5 * MIB);
        assertThat(state.tail()).isEqualTo(MIB);

        one.write(upload, 6 * MIB, Arrays.copyOfRange(content, 6 * MIB, 10 * MIB));
        append(two, upload, 10 * MIB, Arrays.copyOfRange(content, 10 * MIB, content.length));
        assertThat(one.uploadedLength(upload)).contains((long) content.length);
        assertThat(one.uploads().existingState(upload).parts()).hasSize(2);

        Digest digest = Digest.sha256(content);
        BlobStore.BlobStat committed = one.commit(upload, digest, digest);
        assertThat(committed.size()).isEqualTo(content.length);
        assertThat(one.stat(digest)).contains(committed);
        try (InputStream in = two.read(digest, 0, content.length)) {
            assertThat(in.readAllBytes()).isEqualTo(content);
        }
        try (InputStream in = two.read(digest, 5 * MIB - 10, 20)) {
            assertThat(in.readAllBytes()).isEqualTo(Arrays.copyOfRange(content, 5 * MIB - 10, 5 * MIB + 10));
        }
        assertThat(keys(one, "nodes/")).as("nothing of the upload is left")
                .containsExactly("nodes/blobs/sha256/" + digest.hex().substring(0, 2) + "/" + digest.hex());
        assertThat(one.files()).extracting(BlobStore.StoredFile::digest, BlobStore.StoredFile::size)
                .containsExactly(org.assertj.core.groups.Tuple.tuple(digest, (long) content.length));
    }

    @Test
    void aMonolithicUploadIsOneObjectCopiedToTheBlobKey() throws Exception {
        S3BlobStore store = node("monolithic/");
        byte[] content = random(300_000, 2);
        UUID upload = UUID.randomUUID();
        store.createUpload(upload);
        store.write(upload, 0, content);
        assertThat(store.uploads().existingState(upload).parts()).as("no part").isEmpty();
        try (InputStream in = store.readUpload(upload)) {
            assertThat(in.readAllBytes()).isEqualTo(content);
        }
        Digest digest = Digest.sha256(content);
        store.commit(upload, digest, digest);
        try (InputStream in = store.read(digest, 100, 1000)) {
            assertThat(in.readAllBytes()).isEqualTo(Arrays.copyOfRange(content, 100, 1100));
        }
        assertThat(keys(store, "monolithic/uploads/")).isEmpty();

        UUID empty = UUID.randomUUID();
        store.createUpload(empty);
        Digest nothing = Digest.sha256(new byte[0]);
        assertThat(store.commit(empty, nothing, nothing).size()).isZero();
        try (InputStream in = store.read(nothing, 0, 0)) {
            assertThat(in.readAllBytes()).isEmpty();
        }
    }

    @Test
    void anUploadWithPartsIsReadableBeforeItsCommitWhichAssemblesItOnTheServer() throws Exception {
        S3BlobStore store = node("assembled/");
        byte[] content = random(11 * MIB + 5, 3);
        UUID upload = UUID.randomUUID();
        store.createUpload(upload);
        append(store, upload, 0, content);
        assertThat(store.uploads().existingState(upload).parts()).hasSize(2);
        try (InputStream in = store.readUpload(upload)) {
            assertThat(in.readAllBytes()).isEqualTo(content);
        }
        Digest digest = Digest.sha256(content);
        BlobStore.BlobStat first = store.commit(upload, digest, digest);
        try (InputStream in = store.read(digest, 0, content.length)) {
            assertThat(in.readAllBytes()).isEqualTo(content);
        }
        var head = store.bucket().head("assembled/blobs/sha256/" + digest.hex().substring(0, 2) + "/" + digest.hex())
                .orElseThrow();
        assertThat(head.eTag()).as("a multipart upload of 3 parts").endsWith("-3\"");
        assertThat(head.metadata()).containsEntry("berth-version", first.version().key().toString());
        assertThat(keys(store, "assembled/uploads/")).isEmpty();
        assertThat(store.bucket().client.listMultipartUploads(b -> b.bucket(S3ProxyServer.BUCKET)
                .prefix("assembled/")).uploads()).as("completed").isEmpty();
    }

    @Test
    void aPartInFlightPausesTheWriterAndMemoryStaysNearOnePart() throws Exception {
        S3BlobStore store = node("pressure/");
        byte[] content = random(16 * MIB, 4);
        UUID upload = UUID.randomUUID();
        store.createUpload(upload);
        AppendResult result = append(store, upload, 0, content);
        assertThat(result.timesFull()).as("the writer waited for each of the 3 parts").isEqualTo(3);
        assertThat(store.uploadedLength(upload)).contains((long) content.length);
        assertThat(store.uploads().existingState(upload).tail()).isEqualTo(MIB);
    }

    @Test
    void appendsBeyondTheNodesPartBudgetWaitForOneToEnd() throws Exception {
        PartBudget budget = new PartBudget(1);
        S3BlobStore store = S3BlobStore.open(s3.config().withPrefix("budget/"), vertx, budget);
        UUID first = UUID.randomUUID();
        UUID second = UUID.randomUUID();
        store.createUpload(first);
        store.createUpload(second);
        CompletableFuture<WriteStream<Buffer>> one = new CompletableFuture<>();
        CompletableFuture<WriteStream<Buffer>> two = new CompletableFuture<>();
        Context context = vertx.getOrCreateContext();
        context.runOnContext(v -> store.append(first, 0).onSuccess(one::complete).onFailure(one::completeExceptionally));
        WriteStream<Buffer> holding = one.get(10, TimeUnit.SECONDS);
        context.runOnContext(v -> store.append(second, 0).onSuccess(two::complete).onFailure(two::completeExceptionally));
        Thread.sleep(300);
        assertThat(two).as("waits for the only permit").isNotDone();
        assertThat(budget.waiting()).isEqualTo(1);
        CompletableFuture<Void> ended = new CompletableFuture<>();
        context.runOnContext(v -> holding.write(Buffer.buffer("abc")).compose(w -> holding.end())
                .onSuccess(ended::complete).onFailure(ended::completeExceptionally));
        ended.get(10, TimeUnit.SECONDS);
        WriteStream<Buffer> next = two.get(10, TimeUnit.SECONDS);
        CompletableFuture<Void> nextEnded = new CompletableFuture<>();
        context.runOnContext(v -> next.end().onSuccess(nextEnded::complete).onFailure(nextEnded::completeExceptionally));
        nextEnded.get(10, TimeUnit.SECONDS);
        assertThat(store.uploadedLength(first)).contains(3L);
        assertThat(budget.waiting()).isZero();
        assertThat(PartBudget.ofHeap(S3Uploads.MIN_PART).permits()).isGreaterThanOrEqualTo(2);
    }

    @Test
    void anAppendThatDoesNotFollowTheStoredBytesIsRefused() {
        S3BlobStore store = node("range/");
        UUID upload = UUID.randomUUID();
        store.createUpload(upload);
        store.write(upload, 0, new byte[10]);
        assertThatThrownBy(() -> store.write(upload, 5, new byte[10])).isInstanceOfSatisfying(RegistryException.class,
                e -> assertThat(e.code()).isEqualTo(ErrorCode.BLOB_UPLOAD_INVALID));
        assertThat(store.uploadedLength(upload)).contains(10L);
    }

    @Test
    void aWrongDigestDiscardsTheUploadAndItsMultipartParts() throws Exception {
        S3BlobStore store = node("wrong/");
        UUID upload = UUID.randomUUID();
        store.createUpload(upload);
        append(store, upload, 0, random(6 * MIB, 5));
        Digest claimed = Digest.sha256(new byte[] {1});
        Digest actual = Digest.sha256(new byte[] {2});
        assertThatThrownBy(() -> store.commit(upload, claimed, actual)).isInstanceOfSatisfying(RegistryException.class,
                e -> assertThat(e.code()).isEqualTo(ErrorCode.DIGEST_INVALID));
        assertThat(store.uploadedLength(upload)).isEmpty();
        assertThat(keys(store, "wrong/")).isEmpty();
        assertThat(store.stat(claimed)).isEmpty();
    }

    @Test
    void cancelRemovesThePartsAndListingsShowOnlyLiveUploads() throws Exception {
        S3BlobStore store = node("cancel/");
        UUID kept = UUID.randomUUID();
        UUID cancelled = UUID.randomUUID();
        store.createUpload(kept);
        store.createUpload(cancelled);
        store.write(kept, 0, new byte[1234]);
        append(store, cancelled, 0, random(5 * MIB + 1, 6));
        assertThat(store.uploadFiles()).extracting(BlobStore.UploadFile::upload, BlobStore.UploadFile::size)
                .containsExactlyInAnyOrder(org.assertj.core.groups.Tuple.tuple(kept, 1234L),
                        org.assertj.core.groups.Tuple.tuple(cancelled, 5L * MIB + 1));
        assertThat(keys(store, "cancel/uploads/" + cancelled)).contains("cancel/uploads/" + cancelled + "/part-00001");
        store.cancel(cancelled);
        assertThat(store.uploadedLength(cancelled)).isEmpty();
        assertThat(store.uploadFiles()).extracting(BlobStore.UploadFile::upload).containsExactly(kept);
        store.checkWritable();
        assertThat(keys(store, "cancel/uploads/" + cancelled)).isEmpty();
    }

    @Test
    void quarantineMovesTheBytesOnlyWhileTheyAreTheVersionTheVerifierRead() {
        S3BlobStore store = node("quarantine/");
        byte[] content = "rotten".getBytes();
        Digest digest = Digest.sha256(content);
        UUID upload = UUID.randomUUID();
        store.createUpload(upload);
        store.write(upload, 0, content);
        BlobStore.BlobStat stat = store.commit(upload, digest, digest);
        assertThat(store.quarantine(digest, new BlobStore.Version("\"other\""))).isEmpty();
        assertThat(store.stat(digest)).isPresent();
        assertThat(store.quarantine(digest, stat.version())).hasValueSatisfying(where ->
                assertThat(where).startsWith("s3://berth/quarantine/quarantine/sha256/" + digest.hex() + "."));
        assertThat(store.stat(digest)).isEmpty();
        assertThat(store.delete(digest)).isFalse();
        assertThatThrownBy(() -> store.read(digest, 0, 1)).hasRootCauseInstanceOf(java.nio.file.NoSuchFileException.class);
    }

    @Test
    void downloadsRedirectToAPresignedUrlOnlyWhenConfigured() throws Exception {
        S3BlobStore streaming = node("redirect/");
        S3BlobStore redirecting = S3BlobStore.open(s3.config().withPrefix("redirect/")
                .withRedirect(true, Duration.ofMinutes(5)), vertx);
        byte[] content = random(70_000, 7);
        Digest digest = Digest.sha256(content);
        UUID upload = UUID.randomUUID();
        streaming.createUpload(upload);
        streaming.write(upload, 0, content);
        streaming.commit(upload, digest, digest);

        assertThat(streaming.downloadUrl(digest, Duration.ofMinutes(5))).isEmpty();
        URI url = redirecting.downloadUrl(digest, Duration.ofMinutes(5)).orElseThrow();
        assertThat(url.getQuery()).contains("X-Amz-Signature=").contains("X-Amz-Expires=300");
        HttpClient http = HttpClient.newHttpClient();
        HttpResponse<byte[]> response = http.send(HttpRequest.newBuilder(url).build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).isEqualTo(content);
        URI tampered = URI.create(url.toString().replace(digest.hex(), Digest.sha256(new byte[0]).hex()));
        assertThat(http.send(HttpRequest.newBuilder(tampered).build(), HttpResponse.BodyHandlers.discarding())
                .statusCode()).as("the signature covers the key").isEqualTo(403);
    }

    @Test
    void describesItselfAndLeavesFreeSpaceToTheStore() {
        S3BlobStore store = node("health/");
        assertThat(store.describe()).isEqualTo("s3 berth/health/ at " + s3.endpoint());
        assertThat(store.usableSpace()).isEmpty();
        store.checkWritable();
        assertThat(keys(store, "health/")).isEmpty();
        assertThat(S3BlobStore.unreachable(s3.config())).isEmpty();
        assertThat(S3BlobStore.unreachable(S3Config.at(s3.endpoint(), "missing", S3ProxyServer.IDENTITY,
                S3ProxyServer.CREDENTIAL))).hasValueSatisfying(problem -> assertThat(problem)
                .startsWith("storage.s3.bucket 'missing' cannot be reached").contains("404").contains("create the bucket"));
    }
}
