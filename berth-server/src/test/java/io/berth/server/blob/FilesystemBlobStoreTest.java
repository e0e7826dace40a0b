package io.berth.server.blob;

import static org.assertj.core.api.Assertions.assertThat;

import io.berth.oci.Digest;
import io.vertx.core.Vertx;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What the filesystem driver does beyond the contract ({@link FilesystemBlobStoreContractTest}): its layout on disk. */
class FilesystemBlobStoreTest {
    @TempDir
    Path root;

    private final Vertx vertx = Vertx.vertx();

    @AfterEach
    void close() {
        vertx.close();
    }

    long openUploadFiles() throws Exception {
        try (Stream<Path> files = Files.list(root.resolve("uploads"))) {
            return files.count();
        }
    }

    @Test
    void blobsAreLaidOutByAlgorithmAndTwoHexDigitFanOut() throws Exception {
        FilesystemBlobStore store = new FilesystemBlobStore(vertx, root);
        byte[] content = "layout".getBytes(StandardCharsets.UTF_8);
        Digest digest = Digest.sha256(content);
        UUID id = UUID.randomUUID();
        store.createUpload(id);
        Files.write(store.uploadPath(id), content);

        store.commit(id, digest, digest);

        assertThat(root.resolve("blobs/sha256/" + digest.hex().substring(0, 2) + "/" + digest.hex())).hasBinaryContent(content);
    }

    /**
     * A verified upload replaces bytes that rotted (by an atomic rename, so a reader holding the old file keeps it
     * whole); a quarantine moves only the version it was asked to, never the good file that replaced it.
     */
    @Test
    void aVerifiedCommitReplacesRottenBytesAndQuarantineMovesOnlyTheVersionItWasGiven() throws Exception {
        FilesystemBlobStore store = new FilesystemBlobStore(vertx, root);
        byte[] content = "the right bytes".getBytes(StandardCharsets.UTF_8);
        Digest digest = Digest.sha256(content);
        commit(store, content, digest);
        Path file = store.localFile(digest).orElseThrow();
        Files.write(file, "the wrong bytes".getBytes(StandardCharsets.UTF_8));
        BlobStore.Version rotten = store.stat(digest).orElseThrow().version();

        try (var reader = Files.newInputStream(file)) {
            commit(store, content, digest);
            assertThat(reader.readAllBytes()).as("an open reader keeps the old file whole")
                    .isEqualTo("the wrong bytes".getBytes(StandardCharsets.UTF_8));
        }
        assertThat(file).hasBinaryContent(content);
        assertThat(store.quarantine(digest, rotten)).as("replaced meanwhile: left alone").isEmpty();
        assertThat(file).hasBinaryContent(content);

        Optional<String> moved = store.quarantine(digest, store.stat(digest).orElseThrow().version());
        assertThat(moved).isPresent();
        assertThat(Path.of(moved.get())).hasBinaryContent(content).startsWith(root.resolve("quarantine"));
        assertThat(store.stat(digest)).isEmpty();
        commit(store, content, digest);
        assertThat(file).as("a push puts missing bytes back").hasBinaryContent(content);
    }

    @Test
    void aWriteCheckLeavesNoFileAndFreeSpaceIsReported() throws Exception {
        FilesystemBlobStore store = new FilesystemBlobStore(vertx, root);
        store.checkWritable();
        assertThat(openUploadFiles()).isZero();
        assertThat(store.usableSpace().orElseThrow()).isPositive();
        assertThat(store.describe()).isEqualTo("filesystem " + root);
    }

    private static void commit(FilesystemBlobStore store, byte[] content, Digest digest) throws Exception {
        UUID id = UUID.randomUUID();
        store.createUpload(id);
        Files.write(store.uploadPath(id), content);
        store.commit(id, digest, digest);
    }
}
