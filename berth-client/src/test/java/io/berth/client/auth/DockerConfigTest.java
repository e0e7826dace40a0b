package io.berth.client.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
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
        Path broken = bin.resolve("docker-credential-broken");
        Files.writeString(broken, """
                #!/bin/sh
                cat > /dev/null
                echo "error: the keychain is locked" >&2
                echo "second line of detail" >&2
                exit 3
                """);
        Files.setPosixFilePermissions(broken, PosixFilePermissions.fromString("rwxr-xr-x"));
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

    private static String entry(String user) {
        return "{\"auths\":{\"r.example\":{\"auth\":\"" + auth(user, "pw") + "\"}}}";
    }

    @Test
    void everyFileIsReadInTheOrderOfContainersAuthJsonAndTheFirstThatKnowsTheRegistryWins() throws Exception {
        Path explicit = Files.writeString(home.resolve("explicit.json"), entry("registry-auth-file"));
        Path runtime = write(home.resolve("run/containers/auth.json"), entry("xdg-runtime"));
        Path config = write(home.resolve("xdg-config/containers/auth.json"), entry("xdg-config"));
        Path dockerConfig = write(home.resolve("docker-config/config.json"), entry("docker-config"));
        Path homeDocker = write(home.resolve(".docker/config.json"), entry("home-docker"));
        Path legacy = Files.writeString(home.resolve(".dockercfg"),
                "{\"https://r.example\":{\"auth\":\"" + auth("dockercfg", "pw") + "\",\"email\":\"\"}}");
        env.putAll(Map.of("REGISTRY_AUTH_FILE", explicit.toString(), "XDG_RUNTIME_DIR", home.resolve("run").toString(),
                "XDG_CONFIG_HOME", home.resolve("xdg-config").toString(), "DOCKER_CONFIG", home.resolve("docker-config").toString()));
        assertThat(DockerConfig.of(env, home).readOrder()).containsExactly(explicit, runtime, config, dockerConfig, legacy);

        List<Path> files = List.of(explicit, runtime, config, dockerConfig);
        List<String> users = List.of("registry-auth-file", "xdg-runtime", "xdg-config", "docker-config");
        List<String> variables = List.of("REGISTRY_AUTH_FILE", "XDG_RUNTIME_DIR", "XDG_CONFIG_HOME", "DOCKER_CONFIG");
        for (int i = 0; i < files.size(); i++) {
            assertThat(DockerConfig.of(env, home).find("r.example")).contains(Credentials.basic(users.get(i), "pw"));
            // a file that exists but knows only other registries does not stop the search
            Files.writeString(files.get(i), "{\"auths\":{\"other.example\":{\"auth\":\"" + auth("o", "o") + "\"}}}");
            assertThat(DockerConfig.of(env, home).find("r.example")).isNotEqualTo(Optional.of(Credentials.basic(users.get(i), "pw")));
            env.remove(variables.get(i));
        }
        // without XDG_RUNTIME_DIR, podman's /run/containers/<uid>/auth.json; without XDG_CONFIG_HOME, $HOME/.config;
        // without DOCKER_CONFIG, $HOME/.docker/config.json
        Path perUid = Path.of("/run/containers/" + new com.sun.security.auth.module.UnixSystem().getUid() + "/auth.json");
        assertThat(DockerConfig.of(env, home).readOrder())
                .containsExactly(perUid, home.resolve(".config/containers/auth.json"), homeDocker, legacy);
        assertThat(DockerConfig.of(env, home).find("r.example")).contains(Credentials.basic("home-docker", "pw"));
        Files.delete(homeDocker);
        assertThat(DockerConfig.of(env, home).find("r.example")).contains(Credentials.basic("dockercfg", "pw"));
    }

    private static Path write(Path file, String content) throws Exception {
        Files.createDirectories(file.getParent());
        return Files.writeString(file, content);
    }

    @Test
    void theHomeDirectoryIsHomeFromTheEnvironmentAndUserHomeOnlyWithoutIt() {
        assertThat(DockerConfig.home(Map.of("HOME", "/somewhere/else"))).isEqualTo(Path.of("/somewhere/else"));
        assertThat(DockerConfig.home(Map.of("HOME", " "))).isEqualTo(Path.of(System.getProperty("user.home")));
        assertThat(DockerConfig.home(Map.of())).isEqualTo(Path.of(System.getProperty("user.home")));
    }

    @Test
    void loginWritesDockerConfigWithItsDirectoriesAndNamesTheFilesReadBeforeIt() throws Exception {
        write(home.resolve("run/containers/auth.json"), entry("podman"));
        env.put("XDG_RUNTIME_DIR", home.resolve("run").toString());
        env.put("DOCKER_CONFIG", home.resolve("new/docker").toString());
        DockerConfig config = DockerConfig.of(env, home);

        assertThat(config.save("r.example", Credentials.basic("me", "pw"))).isEqualTo(home.resolve("new/docker/config.json").toString());
        assertThat(Files.getPosixFilePermissions(config.loginFile())).isEqualTo(PosixFilePermissions.fromString("rw-------"));
        assertThat(config.others("r.example")).containsExactly(new DockerConfig.Other(home.resolve("run/containers/auth.json"), true));
        assertThat(config.find("r.example")).contains(Credentials.basic("podman", "pw"));
        assertThat(DockerConfig.file(config.loginFile(), env).find("r.example")).contains(Credentials.basic("me", "pw"));
        assertThat(home.resolve(".docker")).doesNotExist();
    }

    @Test
    void anAuthfileIsTheOnlyFileReadAndWritten() throws Exception {
        dockerConfig(entry("docker"));
        Path authfile = home.resolve("dir/auth.json");
        DockerConfig config = DockerConfig.file(authfile, env);
        assertThat(config.find("r.example")).isEmpty();
        config.save("r.example", Credentials.basic("me", "pw"));
        assertThat(config.find("r.example")).contains(Credentials.basic("me", "pw"));
        assertThat(config.others("r.example")).isEmpty();
        assertThat(DockerConfig.of(env, home).find("r.example")).contains(Credentials.basic("docker", "pw"));
    }

    @Test
    void dockerHubIsStoredUnderItsHistoricKeyAndHelpersGetTheSameUrl() throws Exception {
        Path file = dockerConfig("{}");
        DockerConfig config = DockerConfig.of(env, home);
        config.save("docker.io", Credentials.basic("hub", "pw"));
        assertThat(JSON.readTree(file.toFile()).path("auths").has("https://index.docker.io/v1/")).isTrue();
        assertThat(config.find("docker.io")).contains(Credentials.basic("hub", "pw"));

        dockerConfig("{\"credsStore\":\"test\"}");
        config.save("docker.io", Credentials.identityToken("refresh"));
        assertThat(store.resolve("https___index.docker.io_v1_")).content().contains("\"Username\":\"<token>\"");
        assertThat(config.find("docker.io")).contains(Credentials.identityToken("refresh"));
    }

    @Test
    void helperFailuresAreOneLineNamingTheHelperTheActionAndWhatItSaid() throws Exception {
        dockerConfig("{\"credHelpers\":{\"locked.example\":\"broken\",\"gone.example\":\"missing\"}}");
        DockerConfig config = DockerConfig.of(env, home);

        assertThatThrownBy(() -> config.find("locked.example")).isInstanceOf(UncheckedIOException.class)
                .hasMessage("docker-credential-broken get locked.example failed (exit 3): error: the keychain is locked");
        assertThatThrownBy(() -> config.save("locked.example", Credentials.basic("a", "b")))
                .hasMessage("docker-credential-broken store locked.example failed (exit 3): error: the keychain is locked");
        assertThatThrownBy(() -> config.erase("locked.example"))
                .hasMessage("docker-credential-broken erase locked.example failed (exit 3): error: the keychain is locked");
        assertThatThrownBy(() -> config.find("gone.example")).hasMessageStartingWith(
                "docker-credential-missing is configured in the credentials file but is not on PATH");
        assertThat(Files.readString(home.resolve(".docker/config.json"))).doesNotContain("\"a\"");
    }

    @Test
    void aBrokenFileIsNamedWithItsPosition() throws Exception {
        Path file = dockerConfig("{\"auths\": {\n  \"r.example\": {\"auth\": }\n}}");
        assertThatThrownBy(() -> DockerConfig.of(env, home).find("r.example"))
                .hasMessageStartingWith("cannot read " + file + ": not valid JSON (line 2, column")
                .message().doesNotContain("\n");
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
