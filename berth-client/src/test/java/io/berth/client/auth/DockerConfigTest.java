package io.berth.client.auth;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Credentials where docker and podman keep them: {@code auths} entries in their spellings, podman's files first,
 * credential helpers ({@code credHelpers}, {@code credsStore}) run from {@code PATH}, and login/logout writes.
 */
class DockerConfigTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path home;
    Path bin;
    Path store;
    Map<String, String> env;

    @BeforeEach
    void fakeHelperOnPath() throws Exception {
        bin = Files.createDirectories(home.resolve("bin"));
        store = Files.createDirectories(home.resolve("store"));
        Path helper = bin.resolve("docker-credential-test");
        Files.writeString(helper, """
                #!/bin/sh
                # a fake docker credential helper keeping one file per server in $STORE
                key() { echo "$1" | tr ':/' '__'; }
                case "$1" in
                  get) read -r server; f="$STORE/$(key "$server")"
                       if [ -f "$f" ]; then cat "$f"; else echo "credentials not found in native keychain"; exit 1; fi ;;
                  store) doc=$(cat); server=$(echo "$doc" | sed 's/.*"ServerURL":"\\([^"]*\\)".*/\\1/')
                       echo "$doc" > "$STORE/$(key "$server")" ;;
                  erase) read -r server; rm -f "$STORE/$(key "$server")" ;;
                esac
                """);
        Files.setPosixFilePermissions(helper, PosixFilePermissions.fromString("rwxr-xr-x"));
        env = new HashMap<>(Map.of("PATH", bin + ":/usr/bin:/bin", "STORE", store.toString()));
    }

    private Path dockerConfig(String json) throws Exception {
        Path file = Files.createDirectories(home.resolve(".docker")).resolve("config.json");
        return Files.writeString(file, json);
    }

    private static String auth(String user, String password) {
        return Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void authsEntriesAreFoundInEverySpellingDockerWrites() throws Exception {
        dockerConfig("""
                {"auths": {
                  "registry.example": {"auth": "%s"},
                  "https://other.example/v1/": {"auth": "%s"},
                  "http://localhost:5000": {"username": "u3", "password": "p3"},
                  "https://index.docker.io/v1/": {"auth": "%s"},
                  "token.example": {"identitytoken": "refresh-me"}
                }}""".formatted(auth("u1", "p:1"), auth("u2", "p2"), auth("hub", "h")));
        DockerConfig config = DockerConfig.of(env, home);
        assertThat(config.find("registry.example")).contains(Credentials.basic("u1", "p:1"));
        assertThat(config.find("other.example")).contains(Credentials.basic("u2", "p2"));
        assertThat(config.find("localhost:5000")).contains(Credentials.basic("u3", "p3"));
        assertThat(config.find("docker.io")).contains(Credentials.basic("hub", "h"));
        assertThat(config.find("token.example")).contains(Credentials.identityToken("refresh-me"));
        assertThat(config.find("unknown.example")).isEmpty();
    }

    @Test
    void podmanFilesComeBeforeDockersAndRegistryAuthFileBeforeAll() throws Exception {
        dockerConfig("{\"auths\":{\"r.example\":{\"auth\":\"" + auth("docker", "d") + "\"}}}");
        Path runtime = Files.createDirectories(home.resolve("run/containers"));
        Files.writeString(runtime.resolve("auth.json"), "{\"auths\":{\"r.example\":{\"auth\":\"" + auth("podman", "p") + "\"}}}");
        Path explicit = Files.writeString(home.resolve("explicit.json"),
                "{\"auths\":{\"r.example\":{\"auth\":\"" + auth("explicit", "e") + "\"}}}");

        assertThat(DockerConfig.of(env, home).find("r.example")).contains(Credentials.basic("docker", "d"));
        env.put("XDG_RUNTIME_DIR", home.resolve("run").toString());
        assertThat(DockerConfig.of(env, home).find("r.example")).contains(Credentials.basic("podman", "p"));
        env.put("REGISTRY_AUTH_FILE", explicit.toString());
        assertThat(DockerConfig.of(env, home).find("r.example")).contains(Credentials.basic("explicit", "e"));
    }

    @Test
    void credentialHelpersAreRunFromPath() throws Exception {
        Files.writeString(store.resolve("helped.example"), "{\"ServerURL\":\"helped.example\",\"Username\":\"h\",\"Secret\":\"hs\"}");
        Files.writeString(store.resolve("stored.example"), "{\"ServerURL\":\"stored.example\",\"Username\":\"s\",\"Secret\":\"ss\"}");
        Files.writeString(store.resolve("acr.example"), "{\"ServerURL\":\"acr.example\",\"Username\":\"<token>\",\"Secret\":\"rt\"}");
        dockerConfig("{\"credHelpers\":{\"helped.example\":\"test\"},\"credsStore\":\"test\"}");
        DockerConfig config = DockerConfig.of(env, home);
        assertThat(config.find("helped.example")).contains(Credentials.basic("h", "hs"));
        assertThat(config.find("stored.example")).contains(Credentials.basic("s", "ss"));
        assertThat(config.find("acr.example")).contains(Credentials.identityToken("rt"));
        assertThat(config.find("missing.example")).isEmpty();
    }

    @Test
    void loginWritesBase64AuthKeepingTheRestOfTheFileAndLogoutRemovesIt() throws Exception {
        Path file = dockerConfig("{\"auths\":{\"keep.example\":{\"auth\":\"" + auth("k", "k") + "\"}},\"psFormat\":\"table\"}");
        DockerConfig config = DockerConfig.of(env, home);

        assertThat(config.save("localhost:5000", Credentials.basic("me", "pw"))).isEqualTo(file.toString());
        var written = JSON.readTree(file.toFile());
        assertThat(written.path("auths").path("localhost:5000").path("auth").asText()).isEqualTo(auth("me", "pw"));
        assertThat(written.path("psFormat").asText()).isEqualTo("table");
        assertThat(Files.getPosixFilePermissions(file)).isEqualTo(PosixFilePermissions.fromString("rw-------"));
        assertThat(DockerConfig.of(env, home).find("localhost:5000")).contains(Credentials.basic("me", "pw"));

        assertThat(config.erase("localhost:5000")).isTrue();
        assertThat(DockerConfig.of(env, home).find("localhost:5000")).isEmpty();
        assertThat(DockerConfig.of(env, home).find("keep.example")).contains(Credentials.basic("k", "k"));
        assertThat(config.erase("localhost:5000")).isFalse();
    }

    @Test
    void loginGoesThroughTheConfiguredCredentialStore() throws Exception {
        Path file = dockerConfig("{\"credsStore\":\"test\"}");
        DockerConfig config = DockerConfig.of(env, home);

        assertThat(config.save("localhost:5000", Credentials.basic("me", "pw"))).isEqualTo("docker-credential-test");
        assertThat(store.resolve("localhost_5000")).exists();
        assertThat(Files.readString(file)).doesNotContain("pw");
        assertThat(DockerConfig.of(env, home).find("localhost:5000")).contains(Credentials.basic("me", "pw"));

        assertThat(config.erase("localhost:5000")).isTrue();
        assertThat(store.resolve("localhost_5000")).doesNotExist();
        assertThat(DockerConfig.of(env, home).find("localhost:5000")).isEqualTo(Optional.empty());
    }
}
