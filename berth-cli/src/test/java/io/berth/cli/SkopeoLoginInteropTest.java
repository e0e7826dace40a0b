package io.berth.cli;

import static org.assertj.core.api.Assertions.assertThat;

import at.favre.lib.crypto.bcrypt.BCrypt;
import io.berth.server.BerthServer;
import io.berth.server.auth.AuthConfig;
import io.berth.server.config.BerthConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Credentials files shared with a real client (issue #17): what {@code berth login --authfile} writes, skopeo accepts,
 * and what {@code skopeo login --authfile} writes, the berth CLI uses, against a Berth with htpasswd (the bearer-token
 * flow). skopeo runs with a sandboxed environment: nothing of the machine's own logins takes part.
 */
class SkopeoLoginInteropTest {
    static final Path SKOPEO = Path.of("/usr/bin/skopeo");

    @TempDir
    static Path dir;
    static BerthServer server;
    static String registry;
    static String reference;
    static Map<String, String> toolEnv;

    @BeforeAll
    static void start() throws Exception {
        assertThat(SKOPEO).as("skopeo is needed: apt-get install -y skopeo (.ci/run installs it)").isExecutable();
        Path htpasswd = dir.resolve("htpasswd");
        Files.writeString(htpasswd, "alice:" + BCrypt.with(BCrypt.Version.VERSION_2Y).hashToString(6, "alice-pw".toCharArray()) + "\n");
        server = BerthServer.start(BerthConfig.defaults(dir.resolve("data")).withListen("127.0.0.1", 0)
                .withAuth(AuthConfig.NONE.withHtpasswd(htpasswd)));
        registry = "127.0.0.1:" + server.port();
        reference = registry + "/interop/notes:1.0";
        Path notes = Files.writeString(dir.resolve("notes.txt"), "shared credentials\n");
        CliRun push = CliRun.run("push", "--plain-http", "-u", "alice", "-p", "alice-pw", reference, notes + ":text/plain",
                "--artifact-type", "application/vnd.example.notes.v1");
        assertThat(push.exitCode()).as(push.toString()).isZero();

        Path sandbox = Files.createDirectories(dir.resolve("skopeo"));
        for (String sub : List.of("home", "config", "run", "tmp")) {
            Files.createDirectories(sandbox.resolve(sub));
        }
        Files.writeString(sandbox.resolve("registries.conf"), "unqualified-search-registries = []\n");
        toolEnv = Map.of("HOME", sandbox.resolve("home").toString(), "XDG_CONFIG_HOME", sandbox.resolve("config").toString(),
                "XDG_RUNTIME_DIR", sandbox.resolve("run").toString(), "TMPDIR", sandbox.resolve("tmp").toString(),
                "CONTAINERS_REGISTRIES_CONF", sandbox.resolve("registries.conf").toString(), "PATH", "/usr/bin:/bin",
                "LC_ALL", "C");
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static CliRun skopeo(String... args) {
        List<String> command = new ArrayList<>(List.of(SKOPEO.toString()));
        command.addAll(List.of(args));
        return ChildProcesses.run(toolEnv, command);
    }

    private static String manifest(Path authfile) {
        CliRun get = CliRun.run("manifest", "get", "--plain-http", "--authfile", authfile.toString(), reference);
        assertThat(get.exitCode()).as(get.toString()).isZero();
        return get.out().strip();
    }

    @Test
    void aFileWrittenByBerthLoginIsAcceptedBySkopeo() throws Exception {
        Path authfile = dir.resolve("berth-auth.json");
        CliRun login = CliRun.run("login", "--plain-http", "--authfile", authfile.toString(), "-u", "alice", "-p", "alice-pw",
                registry);
        assertThat(login.exitCode()).as(login.toString()).isZero();

        Path empty = Files.writeString(dir.resolve("empty-auth.json"), "{\"auths\":{}}");
        CliRun anonymous = skopeo("inspect", "--raw", "--tls-verify=false", "--authfile", empty.toString(), "docker://" + reference);
        assertThat(anonymous.exitCode()).as("without credentials skopeo is refused: " + anonymous).isNotZero();
        assertThat(anonymous.err().toLowerCase(java.util.Locale.ROOT)).contains("unauthorized");

        CliRun inspect = skopeo("inspect", "--raw", "--tls-verify=false", "--authfile", authfile.toString(), "docker://" + reference);
        assertThat(inspect.exitCode()).as(inspect.toString()).isZero();
        assertThat(inspect.out().strip()).isEqualTo(manifest(authfile));
    }

    @Test
    void aFileWrittenBySkopeoLoginIsUsedByBerth() throws Exception {
        Path authfile = dir.resolve("skopeo-auth.json");
        CliRun login = skopeo("login", "--tls-verify=false", "--authfile", authfile.toString(), "-u", "alice", "-p", "alice-pw",
                registry);
        assertThat(login.exitCode()).as(login.toString()).isZero();
        assertThat(Files.readString(authfile)).contains(registry);

        CliRun anonymous = CliRun.run("manifest", "get", "--plain-http", "--authfile", dir.resolve("none.json").toString(), reference);
        assertThat(anonymous.exitCode()).isEqualTo(ExitCodes.AUTH);
        assertThat(manifest(authfile)).contains("application/vnd.example.notes.v1");

        CliRun viaEnvironment = ChildProcesses.berth(Map.of("HOME", dir.resolve("empty-home").toString(), "PATH", "/usr/bin:/bin",
                "REGISTRY_AUTH_FILE", authfile.toString()), dir.resolve("user-home"), "manifest", "get", "--plain-http", reference);
        assertThat(viaEnvironment.exitCode()).as(viaEnvironment.toString()).isZero();
    }
}
