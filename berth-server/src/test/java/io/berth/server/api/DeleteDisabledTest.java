package io.berth.server.api;

import static io.berth.server.api.RegistryHttp.assertError;
import static org.assertj.core.api.Assertions.assertThat;

import io.berth.server.api.RegistryHttp.Descriptor;
import io.berth.server.testing.BerthFixture;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Berth's delete switch ({@code delete.enabled: false}): the spec's "Content Management" lets a registry refuse
 * deletes; it then answers 405 with code {@code UNSUPPORTED} and keeps everything.
 */
class DeleteDisabledTest {
    @TempDir
    static Path dataDir;
    static BerthFixture registry;
    static RegistryHttp http;

    @BeforeAll
    static void start() {
        registry = BerthFixture.start(dataDir, config -> config.withDeleteEnabled(false));
        http = new RegistryHttp(registry.baseUri());
    }

    @AfterAll
    static void stop() {
        registry.close();
    }

    @Test
    void manifestTagAndBlobDeletesAre405UnsupportedAndNothingIsRemoved() {
        Descriptor manifest = http.pushImage("no-delete/app", "v1");
        Descriptor blob = http.pushBlob("no-delete/app", RegistryHttp.randomBytes(32));

        assertError(http.delete("/v2/no-delete/app/manifests/" + manifest.digest()), 405, "UNSUPPORTED");
        assertError(http.delete("/v2/no-delete/app/manifests/v1"), 405, "UNSUPPORTED");
        assertError(http.delete("/v2/no-delete/app/blobs/" + blob.digest()), 405, "UNSUPPORTED");

        assertThat(http.getManifest("no-delete/app", "v1").statusCode()).isEqualTo(200);
        assertThat(http.getManifest("no-delete/app", manifest.digest()).statusCode()).isEqualTo(200);
        assertThat(http.get("/v2/no-delete/app/blobs/" + blob.digest()).statusCode()).isEqualTo(200);
    }
}
