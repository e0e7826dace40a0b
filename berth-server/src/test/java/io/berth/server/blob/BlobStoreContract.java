package io.berth.server.blob;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.berth.oci.Digest;
import io.berth.oci.ErrorCode;
import io.berth.oci.RegistryException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * The contract every {@link BlobStore} passes: a blob is visible only after a verified commit, a failed commit
 * leaves nothing behind, and uploads vanish once committed or cancelled.
 */
abstract class BlobStoreContract {
    /** A fresh, empty store. */
    abstract BlobStore store();

    /** How many upload files the store currently holds (must be zero when no session is open). */
    abstract long openUploadFiles() throws Exception;

    private static final byte[] CONTENT = "hello, berth".getBytes(StandardCharsets.UTF_8);
    private static final Digest DIGEST = Digest.sha256(CONTENT);

    private UUID upload(BlobStore store, byte[] content) throws Exception {
        UUID id = UUID.randomUUID();
        store.createUpload(id);
        Files.write(store.uploadPath(id), content);
        return id;
    }

    @Test
    void uploadFilesListsEveryUploadWithItsSizeUntilCommittedOrCancelled() throws Exception {
        BlobStore store = store();
        java.time.Instant before = java.time.Instant.now().minusSeconds(5);
        UUID kept = upload(store, CONTENT);
        UUID cancelled = upload(store, new byte[3]);
        UUID committed = upload(store, CONTENT);

        assertThat(store.uploadFiles()).extracting(BlobStore.UploadFile::upload)
                .containsExactlyInAnyOrder(kept, cancelled, committed);
        store.cancel(cancelled);
        store.commit(committed, DIGEST, DIGEST);

        assertThat(store.uploadFiles()).singleElement().satisfies(file -> {
            assertThat(file.upload()).isEqualTo(kept);
            assertThat(file.size()).isEqualTo(CONTENT.length);
            assertThat(file.modified()).isAfter(before);
        });
    }

    @Test
    void committedBlobIsVisibleWithItsSizeAndTheUploadIsGone() throws Exception {
        BlobStore store = store();
        UUID id = upload(store, CONTENT);
        assertThat(store.uploadedLength(id)).contains((long) CONTENT.length);
        assertThat(store.blob(DIGEST)).isEmpty();

        BlobStore.LocalBlob blob = store.commit(id, DIGEST, DIGEST);

        assertThat(blob.size()).isEqualTo(CONTENT.length);
        assertThat(Files.readAllBytes(store.blob(DIGEST).orElseThrow().path())).isEqualTo(CONTENT);
        assertThat(store.uploadedLength(id)).isEmpty();
        assertThat(openUploadFiles()).isZero();
    }

    @Test
    void mismatchedDigestIsDigestInvalidAndLeavesNothingBehind() throws Exception {
        BlobStore store = store();
        UUID id = upload(store, CONTENT);
        Digest claimed = Digest.sha256("something else".getBytes(StandardCharsets.UTF_8));

        assertThatThrownBy(() -> store.commit(id, claimed, DIGEST))
                .isInstanceOfSatisfying(RegistryException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.DIGEST_INVALID));

        assertThat(store.blob(claimed)).isEmpty();
        assertThat(store.blob(DIGEST)).isEmpty();
        assertThat(openUploadFiles()).isZero();
    }

    @Test
    void committingContentThatAlreadyExistsKeepsOneBlobAndRemovesTheUpload() throws Exception {
        BlobStore store = store();
        store.commit(upload(store, CONTENT), DIGEST, DIGEST);
        UUID again = upload(store, CONTENT);

        store.commit(again, DIGEST, DIGEST);

        assertThat(store.blob(DIGEST)).map(BlobStore.LocalBlob::size).contains((long) CONTENT.length);
        assertThat(openUploadFiles()).isZero();
    }

    @Test
    void filesListsEveryCommittedBlobWithItsSizeAndNotUploadsAndDeleteRemovesIt() throws Exception {
        BlobStore store = store();
        byte[] other = "another blob".getBytes(StandardCharsets.UTF_8);
        store.commit(upload(store, CONTENT), DIGEST, DIGEST);
        store.commit(upload(store, other), Digest.sha256(other), Digest.sha256(other));
        upload(store, "still uploading".getBytes(StandardCharsets.UTF_8));

        try (var files = store.files()) {
            assertThat(files.toList()).extracting(BlobStore.StoredFile::digest, BlobStore.StoredFile::size)
                    .containsExactlyInAnyOrder(org.assertj.core.groups.Tuple.tuple(DIGEST, (long) CONTENT.length),
                            org.assertj.core.groups.Tuple.tuple(Digest.sha256(other), (long) other.length));
        }
        assertThat(store.delete(DIGEST)).isTrue();
        assertThat(store.delete(DIGEST)).isFalse();
        try (var files = store.files()) {
            assertThat(files.map(BlobStore.StoredFile::digest).toList()).containsExactly(Digest.sha256(other));
        }
    }

    @Test
    void filesAreListedInDigestOrder() throws Exception {
        BlobStore store = store();
        java.util.List<Digest> committed = new java.util.ArrayList<>();
        for (int i = 0; i < 40; i++) { // spread over many of the two-hex-digit shards
            byte[] content = ("blob " + i).getBytes(StandardCharsets.UTF_8);
            committed.add(Digest.sha256(content));
            store.commit(upload(store, content), Digest.sha256(content), Digest.sha256(content));
        }

        try (var files = store.files()) {
            // Garbage collection walks this listing beside the database's rows, which come in this order.
            assertThat(files.map(file -> file.digest().toString()).toList())
                    .isSorted()
                    .containsExactlyInAnyOrderElementsOf(committed.stream().map(Digest::toString).toList());
        }
    }

    @Test
    void cancelRemovesTheUploadAndUnknownUploadsHaveNoLength() throws Exception {
        BlobStore store = store();
        UUID id = upload(store, CONTENT);

        store.cancel(id);

        assertThat(store.uploadedLength(id)).isEmpty();
        assertThat(store.uploadedLength(UUID.randomUUID())).isEmpty();
        assertThat(openUploadFiles()).isZero();
    }

    @Test
    void deleteRemovesTheBytesOnce() throws Exception {
        BlobStore store = store();
        store.commit(upload(store, CONTENT), DIGEST, DIGEST);

        assertThat(store.delete(DIGEST)).isTrue();
        assertThat(store.delete(DIGEST)).isFalse();
        assertThat(store.blob(DIGEST)).isEmpty();
    }

    @Test
    void emptyBlobCanBeCommitted() throws Exception {
        BlobStore store = store();
        Digest empty = Digest.sha256(new byte[0]);

        store.commit(upload(store, new byte[0]), empty, empty);

        assertThat(store.blob(empty)).map(BlobStore.LocalBlob::size).contains(0L);
    }
}
