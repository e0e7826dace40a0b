package io.berth.server.api;

import static io.berth.server.api.RegistryHttp.assertError;
import static io.berth.server.api.RegistryHttp.body;
import static org.assertj.core.api.Assertions.assertThat;

import io.berth.server.api.RegistryHttp.Descriptor;
import io.berth.server.testing.RegistryFixture;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** end-10 {@code DELETE /v2/<name>/blobs/<digest>}: spec "Deleting Blobs". */
class BlobDeleteTest {
    @TempDir
    static Path dataDir;
    static RegistryFixture registry;
    static RegistryHttp http;

    @BeforeAll
    static void start() {
        registry = RegistryFixture.start(dataDir);
        http = new RegistryHttp(registry.baseUri());
    }

    @AfterAll
    static void stop() {
        registry.close();
    }

    @Test
    void deleteAnswers202AndTheBlobIsThenNotFound() {
        Descriptor blob = http.pushBlob("blob-delete/one", RegistryHttp.randomBytes(64));

        HttpResponse<byte[]> delete = http.delete("/v2/blob-delete/one/blobs/" + blob.digest());

        // "Upon success, the registry MUST respond with code 202 Accepted."
        assertThat(delete.statusCode()).as(body(delete)).isEqualTo(202);
        assertError(http.get("/v2/blob-delete/one/blobs/" + blob.digest()), 404, "BLOB_UNKNOWN");
        assertThat(http.head("/v2/blob-delete/one/blobs/" + blob.digest()).statusCode()).isEqualTo(404);
    }

    @Test
    void deleteOfUnknownBlobAnswers404() {
        // "If the blob is not found, a 404 Not Found code MUST be returned."
        http.pushBlob("blob-delete/unknown", RegistryHttp.randomBytes(8));

        assertError(http.delete("/v2/blob-delete/unknown/blobs/" + RegistryHttp.unknownDigest()), 404, "BLOB_UNKNOWN");
    }

    @Test
    void deleteTwiceAnswers404TheSecondTime() {
        Descriptor blob = http.pushBlob("blob-delete/twice", RegistryHttp.randomBytes(64));
        assertThat(http.delete("/v2/blob-delete/twice/blobs/" + blob.digest()).statusCode()).isEqualTo(202);

        assertError(http.delete("/v2/blob-delete/twice/blobs/" + blob.digest()), 404, "BLOB_UNKNOWN");
    }

    @Test
    void deleteInOneRepositoryLeavesTheSameBlobInAnother() {
        byte[] content = RegistryHttp.randomBytes(64);
        Descriptor blob = http.pushBlob("blob-delete/first", content);
        http.pushBlob("blob-delete/second", content);

        assertThat(http.delete("/v2/blob-delete/first/blobs/" + blob.digest()).statusCode()).isEqualTo(202);

        HttpResponse<byte[]> other = http.get("/v2/blob-delete/second/blobs/" + blob.digest());
        assertThat(other.statusCode()).isEqualTo(200);
        assertThat(other.body()).isEqualTo(content);
    }

    @Test
    void deletedBlobCanBePushedAgain() {
        byte[] content = RegistryHttp.randomBytes(64);
        Descriptor blob = http.pushBlob("blob-delete/again", content);
        assertThat(http.delete("/v2/blob-delete/again/blobs/" + blob.digest()).statusCode()).isEqualTo(202);

        http.pushBlob("blob-delete/again", content);

        assertThat(http.get("/v2/blob-delete/again/blobs/" + blob.digest()).body()).isEqualTo(content);
    }

    @Test
    void deleteWithMalformedDigestAnswers400() {
        HttpResponse<byte[]> delete = http.delete("/v2/blob-delete/one/blobs/sha256:" + "f".repeat(10));

        assertError(delete, 400, "DIGEST_INVALID");
    }
}
