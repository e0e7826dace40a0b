package io.berth.server.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.berth.server.testing.BerthFixture;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Berth keeps upload sessions in its database and their bytes in blob storage: a chunked upload started before a
 * restart continues after it, and the blob it produces verifies.
 */
class UploadResumeTest {
    @TempDir
    Path dataDir;

    @Test
    void chunkedUploadContinuesAcrossARestart() {
        byte[] content = RegistryHttp.randomBytes(300_000);
        byte[] first = Arrays.copyOfRange(content, 0, 100_000);
        byte[] second = Arrays.copyOfRange(content, 100_000, content.length);
        String digest = RegistryHttp.sha256(content);
        String uploadPath;

        try (BerthFixture before = BerthFixture.start(dataDir)) {
            RegistryHttp http = new RegistryHttp(before.baseUri());
            URI upload = http.startUpload("resume/app");
            HttpResponse<byte[]> patch = http.send("PATCH", upload.toString(), first,
                    "Content-Type", "application/octet-stream", "Content-Range", "0-99999");
            assertThat(patch.statusCode()).isEqualTo(202);
            uploadPath = http.location(patch).getRawPath();
        }

        try (BerthFixture after = BerthFixture.start(dataDir)) {
            RegistryHttp http = new RegistryHttp(after.baseUri());
            HttpResponse<byte[]> status = http.get(uploadPath);
            assertThat(status.statusCode()).isEqualTo(204);
            assertThat(RegistryHttp.header(status, "Range")).contains("0-99999");

            HttpResponse<byte[]> put = http.send("PUT", uploadPath + "?digest=" + digest, second,
                    "Content-Type", "application/octet-stream", "Content-Range", "100000-299999");
            assertThat(put.statusCode()).as(RegistryHttp.body(put)).isEqualTo(201);

            HttpResponse<byte[]> blob = http.get("/v2/resume/app/blobs/" + digest);
            assertThat(blob.statusCode()).isEqualTo(200);
            assertThat(blob.body()).isEqualTo(content);
        }
    }
}
