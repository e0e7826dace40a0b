package io.berth.server.auth;

import static io.berth.server.auth.AuthHttp.basic;
import static io.berth.server.auth.AuthSetup.anonymous;
import static io.berth.server.auth.AuthSetup.users;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.berth.server.auth.AuthConfig;
import io.berth.server.testing.BerthFixture;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The listing API shows only what the caller may pull, and an unreadable repository looks like a missing one. */
class ListingAccessTest {
    private static final String ADMIN = basic("admin", "admin-pw");
    private static final String TEAM = basic("team", "team-pw");

    @TempDir
    static Path dir;
    static BerthFixture registry;
    static AuthHttp http;

    @BeforeAll
    static void start() {
        Path htpasswd = AuthSetup.htpasswd(dir.resolve("htpasswd"), "admin", "admin-pw", "team", "team-pw");
        AuthConfig auth = AuthConfig.NONE.withHtpasswd(htpasswd).withPolicies(List.of(
                users("**", List.of("admin"), "*"),
                users("team/**", List.of("team"), "pull"),
                anonymous("public/**", "pull")));
        registry = BerthFixture.start(dir.resolve("data"), c -> c.withAuth(auth));
        http = new AuthHttp(registry.baseUri());
        for (String repository : List.of("public/a", "public/b", "secret/a", "secret/b", "secret/c", "team/a", "team/b")) {
            http.pushImage(repository, "v1", ADMIN);
        }
    }

    @AfterAll
    static void stop() {
        registry.close();
    }

    private static List<String> names(String target, String auth, String field, String key) {
        List<String> names = new ArrayList<>();
        String next = target;
        while (next != null) {
            HttpResponse<byte[]> response = http.get(next, auth);
            assertThat(response.statusCode()).as(AuthHttp.text(response)).isEqualTo(200);
            AuthHttp.json(response).get(field).forEach(entry -> names.add(entry.get(key).asText()));
            next = response.headers().firstValue("Link").map(l -> l.substring(1, l.indexOf('>'))).orElse(null);
        }
        return names;
    }

    @Test
    void eachCallerSeesOnlyTheRepositoriesItMayPullAcrossPages() {
        assertThat(names("/api/v1/repositories?n=1", null, "repositories", "name")).containsExactly("public/a", "public/b");
        assertThat(names("/api/v1/repositories?n=1", TEAM, "repositories", "name"))
                .containsExactly("public/a", "public/b", "team/a", "team/b");
        assertThat(names("/api/v1/repositories?n=2", ADMIN, "repositories", "name")).hasSize(7);
        assertThat(names("/api/v1/artifacts?n=1", TEAM, "artifacts", "reference"))
                .containsExactly("public/a:v1", "public/b:v1", "team/a:v1", "team/b:v1");
    }

    @Test
    void aTokenWithTheCatalogScopeSeesWhatItsAccountMayPull() {
        // what the web UI's sign-in asks for: GET /token?scope=registry:catalog:* with the user's password
        String token = AuthHttp.bearer(http.token(TEAM, "registry:catalog:*"));
        assertThat(names("/api/v1/repositories?n=1", token, "repositories", "name"))
                .containsExactly("public/a", "public/b", "team/a", "team/b");
        assertThat(names("/api/v1/artifacts?n=3", token, "artifacts", "reference"))
                .containsExactly("public/a:v1", "public/b:v1", "team/a:v1", "team/b:v1");
        assertThat(http.get("/api/v1/artifact?repository=team/a&reference=v1", token).statusCode()).isEqualTo(200);
        assertThat(http.get("/api/v1/artifact?repository=secret/a&reference=v1", token).statusCode()).isEqualTo(404);

        // without the catalog scope the token is asked for it again; a broken one is refused
        String pullOnly = AuthHttp.bearer(http.token(TEAM, "repository:team/a:pull"));
        HttpResponse<byte[]> narrow = http.get("/api/v1/repositories", pullOnly);
        assertThat(narrow.statusCode()).isEqualTo(401);
        assertThat(narrow.headers().firstValue("WWW-Authenticate").orElseThrow())
                .contains("scope=\"registry:catalog:*\"", "error=\"insufficient_scope\"");
        HttpResponse<byte[]> broken = http.get("/api/v1/repositories", AuthHttp.bearer(AuthSetup.tampered(http.token(TEAM,
                "registry:catalog:*"))));
        assertThat(broken.statusCode()).isEqualTo(401);
        assertThat(broken.headers().firstValue("WWW-Authenticate").orElseThrow()).contains("error=\"invalid_token\"");
    }

    @Test
    void anUnreadableRepositoryIsIndistinguishableFromAMissingOne() {
        assertThat(names("/api/v1/artifacts?repository=secret/a", TEAM, "artifacts", "reference")).isEmpty();
        HttpResponse<byte[]> secret = http.get("/api/v1/artifact?repository=secret/a&reference=v1", TEAM);
        HttpResponse<byte[]> missing = http.get("/api/v1/artifact?repository=secret/zzz&reference=v1", TEAM);
        assertThat(secret.statusCode()).isEqualTo(404).isEqualTo(missing.statusCode());
        JsonNode error = AuthHttp.json(secret);
        assertThat(error.at("/errors/0/code").asText()).isEqualTo("MANIFEST_UNKNOWN");
        assertThat(AuthHttp.text(secret)).doesNotContain("digest", "sha256");
    }

    @Test
    void aWrongPasswordIsChallenged() {
        HttpResponse<byte[]> response = http.get("/api/v1/repositories", basic("team", "wrong"));
        assertThat(response.statusCode()).isEqualTo(401);
        assertThat(response.headers().firstValue("WWW-Authenticate")).isPresent();
    }
}
