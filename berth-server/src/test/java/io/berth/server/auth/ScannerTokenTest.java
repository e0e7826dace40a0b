package io.berth.server.auth;

import static io.berth.server.auth.AuthHttp.basic;
import static io.berth.server.auth.AuthSetup.users;
import static org.assertj.core.api.Assertions.assertThat;

import io.berth.server.auth.AuthConfig;
import io.berth.server.scan.ScannerConfig;
import io.berth.server.testing.BerthFixture;
import io.berth.server.testing.ScannerAdapterStub;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issues #7 and #8 together: on a registry with authorization on, a scanner is handed a short-lived bearer token that
 * lets it pull the artifact it scans, from that repository only.
 */
class ScannerTokenTest {
    @TempDir
    Path dir;

    @Test
    void theScannerPullsWithATokenScopedToTheScannedRepository() throws Exception {
        Path htpasswd = AuthSetup.htpasswd(dir.resolve("htpasswd"), "admin", "admin-pw");
        AuthConfig auth = AuthConfig.NONE.withHtpasswd(htpasswd).withPolicies(List.of(users("**", List.of("admin"), "*")));
        try (ScannerAdapterStub adapter = ScannerAdapterStub.start();
             BerthFixture registry = BerthFixture.start(dir.resolve("data"), c -> c.withAuth(auth)
                     .withScanners(List.of(ScannerConfig.of("stub", adapter.url(), List.of("oci-image")))))) {
            AuthHttp http = new AuthHttp(registry.baseUri());
            String admin = basic("admin", "admin-pw");
            http.pushImage("scanned/app", "v1", admin);
            http.pushImage("other/app", "v1", admin);

            Instant deadline = Instant.now().plusSeconds(30);
            while (adapter.received().stream().noneMatch(r -> r.repository().equals("scanned/app"))) {
                assertThat(Instant.now()).as("the scanner is asked within 30 s").isBefore(deadline);
                Thread.sleep(100);
            }
            ScannerAdapterStub.Received request = adapter.received().stream()
                    .filter(r -> r.repository().equals("scanned/app")).findFirst().orElseThrow();
            String authorization = request.request().at("/registry/authorization").asText();

            assertThat(authorization).startsWith("Bearer ");
            assertThat(request.pullStatus()).as("the scanner pulled the manifest with it").isEqualTo(200);
            assertThat(http.get("/v2/other/app/manifests/v1", authorization).statusCode())
                    .as("the same token does not open another repository").isEqualTo(401);
            assertThat(http.send("PUT", "/v2/scanned/app/manifests/v2", new byte[] {'{', '}'}, authorization,
                    "Content-Type", "application/vnd.oci.image.manifest.v1+json").statusCode())
                    .as("nor push").isIn(401, 403);
        }
    }
}
