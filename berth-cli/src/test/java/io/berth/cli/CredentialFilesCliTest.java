package io.berth.cli;

import static org.assertj.core.api.Assertions.assertThat;

import at.favre.lib.crypto.bcrypt.BCrypt;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.berth.server.BerthServer;
import io.berth.server.auth.AuthConfig;
import io.berth.server.config.BerthConfig;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Where {@code berth login} writes and which files the CLI reads, with the environment docker, podman and skopeo use
 * (issue #17): the CLI runs in a child JVM whose {@code HOME}, {@code DOCKER_CONFIG}, {@code REGISTRY_AUTH_FILE},
 * {@code XDG_RUNTIME_DIR} and {@code PATH} the test sets, and whose {@code user.home} (the password database's home)
 * points elsewhere and must never be used. The registry is a Berth with htpasswd: {@code berth ls} exits 0 with the
 * stored credentials and 4 without.
 */
class CredentialFilesCliTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path serverDir;
    static BerthServer server;
    static String registry;

    @TempDir
    Path work;
    Path home;
    Path userHome;
    Map<String, String> env;

    @BeforeAll
    static void start() throws Exception {
        Path htpasswd = serverDir.resolve("htpasswd");
        Files.writeString(htpasswd, "alice:" + BCrypt.with(BCrypt.Version.VERSION_2Y).hashToString(6, "alice-pw".toCharArray()) + "\n");
        server = BerthServer.start(BerthConfig.defaults(serverDir.resolve("data")).withListen("127.0.0.1", 0)
                .withAuth(AuthConfig.NONE.withHtpasswd(htpasswd)));
        registry = "127.0.0.1:" + server.port();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @BeforeEach
    void environment() throws Exception {
        home = Files.createDirectories(work.resolve("home"));
        userHome = work.resolve("user-home-from-passwd");
        // XDG_RUNTIME_DIR is set (to an empty directory) so that the machine's /run/containers/<uid>/auth.json stays out
        env = new HashMap<>(Map.of("HOME", home.toString(), "PATH", "/usr/bin:/bin", "LC_ALL", "C",
                "XDG_RUNTIME_DIR", Files.createDirectories(work.resolve("run")).toString()));
    }

    private CliRun berth(String... args) {
        return ChildProcesses.berth(env, userHome, args);
    }

    private CliRun login(String... more) {
        String[] args = new String[more.length + 6];
        System.arraycopy(new String[] {"login", "--plain-http", "-u", "alice", "-p", "alice-pw"}, 0, args, 0, 6);
        System.arraycopy(more, 0, args, 6, more.length);
        CliRun run = berth(args);
        assertThat(run.exitCode()).as(run.toString()).isZero();
        return run;
    }

    /** {@code berth ls}: 0 when the CLI found alice's credentials, 4 when it went anonymous (or found wrong ones). */
    private int ls(String... more) {
        String[] args = new String[more.length + 3];
        System.arraycopy(new String[] {"ls", "--plain-http", registry}, 0, args, 0, 3);
        System.arraycopy(more, 0, args, 3, more.length);
        CliRun run = berth(args);
        assertThat(run.exitCode()).as(run.toString()).isIn(ExitCodes.OK, ExitCodes.AUTH);
        return run.exitCode();
    }

    private static String auth(String user, String password) {
        return Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    private static String storedAuth(Path file) throws Exception {
        JsonNode entry = JSON.readTree(file.toFile()).path("auths").path(registry).path("auth");
        return new String(Base64.getDecoder().decode(entry.asText()), StandardCharsets.UTF_8);
    }

    private static Path write(Path file, String content) throws Exception {
        Files.createDirectories(file.getParent());
        return Files.writeString(file, content);
    }

    private String entry(String password) {
        return "{\"auths\":{\"" + registry + "\":{\"auth\":\"" + auth("alice", password) + "\"}}}";
    }

    @Test
    void loginWritesDockersFileUnderHomeNotUnderTheJavaUserHomeAndLogoutRemovesIt() throws Exception {
        assertThat(ls()).isEqualTo(ExitCodes.AUTH);
        CliRun login = login(registry);
        Path file = home.resolve(".docker/config.json");
        assertThat(login.out()).contains("Login Succeeded").contains("stored in " + file);
        assertThat(storedAuth(file)).isEqualTo("alice:alice-pw");
        assertThat(Files.getPosixFilePermissions(file)).isEqualTo(PosixFilePermissions.fromString("rw-------"));
        assertThat(userHome).doesNotExist();
        assertThat(ls()).isEqualTo(ExitCodes.OK);

        CliRun logout = berth("logout", registry);
        assertThat(logout.out()).as(logout.toString()).contains("Removed the credentials for " + registry);
        assertThat(JSON.readTree(file.toFile()).path("auths").has(registry)).isFalse();
        assertThat(ls()).isEqualTo(ExitCodes.AUTH);
    }

    @Test
    void withDockerConfigSetLoginWritesThereAndCreatesTheDirectory() throws Exception {
        Path dockerConfig = work.resolve("ci/docker-config");
        env.put("DOCKER_CONFIG", dockerConfig.toString());
        login(registry);

        assertThat(storedAuth(dockerConfig.resolve("config.json"))).isEqualTo("alice:alice-pw");
        assertThat(home.resolve(".docker")).doesNotExist();
        assertThat(ls()).isEqualTo(ExitCodes.OK);
        env.remove("DOCKER_CONFIG");
        assertThat(ls()).as("$HOME/.docker/config.json knows nothing").isEqualTo(ExitCodes.AUTH);
    }

    @Test
    void anAuthfileIsTheOnlyFileLoginWritesAndTheCommandReads() throws Exception {
        Path authfile = work.resolve("auth.json");
        env.put("DOCKER_CONFIG", work.resolve("docker-config").toString());
        login("--authfile", authfile.toString(), registry);

        assertThat(storedAuth(authfile)).isEqualTo("alice:alice-pw");
        assertThat(work.resolve("docker-config")).doesNotExist();
        assertThat(home.resolve(".docker")).doesNotExist();
        assertThat(ls("--authfile", authfile.toString())).isEqualTo(ExitCodes.OK);
        assertThat(ls()).isEqualTo(ExitCodes.AUTH);

        write(home.resolve(".docker/config.json"), entry("alice-pw"));
        assertThat(ls("--authfile", work.resolve("empty.json").toString())).as("only the authfile is read").isEqualTo(ExitCodes.AUTH);
        assertThat(berth("logout", "--authfile", authfile.toString(), registry).out()).contains("Removed");
        assertThat(ls("--authfile", authfile.toString())).isEqualTo(ExitCodes.AUTH);
    }

    @Test
    void podmansFilesAreReadBeforeDockersAndLoginSaysSo() throws Exception {
        write(home.resolve(".docker/config.json"), entry("alice-pw"));
        assertThat(ls()).isEqualTo(ExitCodes.OK);

        Path runtime = write(work.resolve("run/containers/auth.json"), entry("stale-password"));
        env.put("XDG_RUNTIME_DIR", work.resolve("run").toString());
        assertThat(ls()).as("podman's runtime file wins, with its stale password").isEqualTo(ExitCodes.AUTH);
        CliRun login = login(registry);
        assertThat(login.out()).contains("Note: " + runtime + " is read before " + home.resolve(".docker/config.json"));
        Files.writeString(runtime, entry("alice-pw"));
        assertThat(ls()).isEqualTo(ExitCodes.OK);

        Path explicit = write(work.resolve("registry-auth.json"), entry("stale-password"));
        env.put("REGISTRY_AUTH_FILE", explicit.toString());
        assertThat(ls()).as("REGISTRY_AUTH_FILE comes first").isEqualTo(ExitCodes.AUTH);
        Files.writeString(explicit, "{\"auths\":{}}");
        assertThat(ls()).as("a file that does not know the registry is passed over").isEqualTo(ExitCodes.OK);

        Files.delete(runtime);
        env.remove("REGISTRY_AUTH_FILE");
        write(work.resolve("config-home/containers/auth.json"), entry("stale-password"));
        env.put("XDG_CONFIG_HOME", work.resolve("config-home").toString());
        assertThat(ls()).as("${XDG_CONFIG_HOME}/containers/auth.json before docker's").isEqualTo(ExitCodes.AUTH);
    }

    @Test
    void loginAndLogoutGoThroughTheConfiguredCredentialHelper() throws Exception {
        Path bin = Files.createDirectories(work.resolve("bin"));
        Path store = Files.createDirectories(work.resolve("store"));
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
                  erase) read -r server; f="$STORE/$(key "$server")"
                       if [ -f "$f" ]; then rm "$f"; else echo "credentials not found in native keychain"; exit 1; fi ;;
                esac
                """);
        Files.setPosixFilePermissions(helper, PosixFilePermissions.fromString("rwxr-xr-x"));
        env.put("PATH", bin + ":/usr/bin:/bin");
        env.put("STORE", store.toString());
        Path file = write(home.resolve(".docker/config.json"), "{\"credsStore\":\"test\"}");

        CliRun login = login(registry);
        assertThat(login.out()).contains("stored in docker-credential-test");
        Path stored = store.resolve(registry.replace(':', '_'));
        assertThat(stored).content().contains("\"Username\":\"alice\"").contains("\"Secret\":\"alice-pw\"");
        assertThat(Files.readString(file)).doesNotContain("alice-pw").contains(registry);
        assertThat(ls()).isEqualTo(ExitCodes.OK);

        assertThat(berth("logout", registry).out()).contains("Removed");
        assertThat(stored).doesNotExist();
        assertThat(ls()).isEqualTo(ExitCodes.AUTH);
        assertThat(berth("logout", registry).out()).contains("No credentials were stored");

        Files.writeString(file, "{\"credHelpers\":{\"" + registry + "\":\"absent\"}}");
        CliRun missing = berth("ls", "--plain-http", registry);
        assertThat(missing.exitCode()).isEqualTo(ExitCodes.ERROR);
        assertThat(missing.err().strip()).as("one line").doesNotContain("\n")
                .isEqualTo("berth: docker-credential-absent is configured in the credentials file but is not on PATH;"
                        + " install it or remove it from the file");
    }
}
