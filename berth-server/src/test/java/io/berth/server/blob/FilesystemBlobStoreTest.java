package io.berth.server.blob;

import static org.assertj.core.api.Assertions.assertThat;

import io.berth.oci.Digest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FilesystemBlobStoreTest extends BlobStoreContract {
    @TempDir
    Path root;

    @Override
    BlobStore store() {
        return new FilesystemBlobStore(root);
    }

    @Override
    long openUploadFiles() throws Exception {
        try (Stream<Path> files = Files.list(root.resolve("uploads"))) {
            return files.count();
        }
    }

    @Test
    void blobsAreLaidOutByAlgorithmAndTwoHexDigitFanOut() throws Exception {
        FilesystemBlobStore store = new FilesystemBlobStore(root);
        byte[] content = "layout".getBytes(StandardCharsets.UTF_8);
        Digest digest = Digest.sha256(content);
        UUID id = UUID.randomUUID();
        store.createUpload(id);
        Files.write(store.uploadPath(id), content);

        store.commit(id, digest, digest);

        assertThat(root.resolve("blobs/sha256/" + digest.hex().substring(0, 2) + "/" + digest.hex())).hasBinaryContent(content);
    }
}
