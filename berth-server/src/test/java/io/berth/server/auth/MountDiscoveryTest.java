package io.berth.server.auth;

import static io.berth.server.auth.AuthHttp.basic;
import static io.berth.server.auth.AuthHttp.text;
import static io.berth.server.auth.AuthSetup.users;
import static org.assertj.core.api.Assertions.assertThat;

import io.berth.server.auth.AuthConfig;
import io.berth.server.testing.BerthFixture;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An automatic mount ({@code ?mount=} without {@code from}) looks only at repositories the caller may read: a
 * repository it may not read, even the first by name, changes nothing in the answer.
 */
class MountDiscoveryTest {
    @TempDir
    Path dir;

    @Test
    void onlyReadableRepositoriesCanBeTheSourceOfAnAutomaticMount() {
        String alice = basic("alice", "alice-pw");
        String bob = basic("bob", "bob-pw");
        Path htpasswd = AuthSetup.htpasswd(dir.resolve("htpasswd"), "alice", "alice-pw", "bob", "bob-pw");
        AuthConfig auth = AuthConfig.NONE.withHtpasswd(htpasswd).withPolicies(List.of(
                users("a-secret/**", List.of("alice"), "pull", "push"),
                users("b-target/**", List.of("bob"), "pull", "push"),
                users("z-shared/**", List.of("alice", "bob"), "pull", "push")));
        try (BerthFixture registry = BerthFixture.start(dir.resolve("data"), c -> c.withAuth(auth))) {
            AuthHttp http = new AuthHttp(registry.baseUri());
            byte[] content = AuthHttp.random(64);
            String digest = http.pushBlob("a-secret/app", content, alice);

            HttpResponse<byte[]> onlyUnreadable = http.send("POST", "/v2/b-target/app/blobs/uploads/?mount=" + digest, null, bob);
            assertThat(onlyUnreadable.statusCode()).as("only a repository bob cannot read holds it: %s", text(onlyUnreadable))
                    .isEqualTo(202);
            assertThat(http.send("HEAD", "/v2/b-target/app/blobs/" + digest, null, bob).statusCode()).isEqualTo(404);

            http.pushBlob("z-shared/app", content, alice);
            HttpResponse<byte[]> readableLater = http.send("POST", "/v2/b-target/app/blobs/uploads/?mount=" + digest, null, bob);
            assertThat(readableLater.statusCode()).as("z-shared/app, readable, holds it too: %s", text(readableLater))
                    .isEqualTo(201);
            assertThat(http.send("HEAD", "/v2/b-target/app/blobs/" + digest, null, bob).statusCode()).isEqualTo(200);
        }
    }
}
