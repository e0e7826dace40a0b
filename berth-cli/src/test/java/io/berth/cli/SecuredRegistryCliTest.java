package io.berth.cli;

import static org.assertj.core.api.Assertions.assertThat;

import at.favre.lib.crypto.bcrypt.BCrypt;
import io.berth.server.BerthServer;
import io.berth.server.auth.AuthConfig;
import io.berth.server.config.BerthConfig;
import io.berth.server.log.LogConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code berth} CLI against a Berth with authorization on (issues #5 and #7): {@code login} checks and stores the
 * credentials, then push and pull go through the registry token flow (401 challenge, token endpoint, bearer retry);
 * without credentials the CLI exits with the authentication code and says how to log in.
 */
class SecuredRegistryCliTest {
    @TempDir
    static Path dir;
    static BerthServer server;
    static String registry;
    static Path credentials;

    @BeforeAll
    static void start() throws Exception {
        Path htpasswd = dir.resolve("htpasswd");
        Files.writeString(htpasswd, "alice:" + BCrypt.with(BCrypt.Version.VERSION_2Y).hashToString(6, "alice-pw".toCharArray()) + "\n");
        server = BerthServer.start(BerthConfig.defaults(dir.resolve("data")).withListen("127.0.0.1", 0)
                .withAuth(AuthConfig.NONE.withHtpasswd(htpasswd)).withLog(LogConfig.DEFAULT.withAccess(false)));
        registry = "127.0.0.1:" + server.port();
        credentials = dir.resolve("config.json");
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @Test
    void loginThenPushAndPullThroughTheTokenFlow() throws Exception {
        Path file = dir.resolve("notes.txt");
        Files.writeString(file, "secured notes");
        String ref = registry + "/secure/notes:1.0";

        CliRun wrong = CliRun.run("login", "--plain-http", "--registry-config", credentials.toString(), registry,
                "-u", "alice", "-p", "not-the-password");
        assertThat(wrong.exitCode()).as(wrong.err()).isEqualTo(ExitCodes.AUTH);
        CliRun login = CliRun.run("login", "--plain-http", "--registry-config", credentials.toString(), registry,
                "-u", "alice", "-p", "alice-pw");
        assertThat(login.exitCode()).as(login.err()).isZero();
        assertThat(Files.readString(credentials)).contains(registry).doesNotContain("alice-pw");

        CliRun push = CliRun.run("push", "--plain-http", "--registry-config", credentials.toString(), ref,
                file + ":text/plain", "--artifact-type", "application/vnd.example.notes.v1");
        assertThat(push.exitCode()).as(push.err()).isZero();
        CliRun pull = CliRun.run("pull", "--plain-http", "--registry-config", credentials.toString(), ref,
                "-o", dir.resolve("out").toString());
        assertThat(pull.exitCode()).as(pull.err()).isZero();
        assertThat(dir.resolve("out/notes.txt")).hasContent("secured notes");
    }

    @Test
    void gcAuthenticatesAsTheOtherCommandsDoAndNeedsCredentials() {
        CliRun anonymous = CliRun.run("gc", "--dry-run", "--server", "http://" + registry, "--registry-config",
                dir.resolve("empty.json").toString());
        assertThat(anonymous.exitCode()).as(anonymous.toString()).isEqualTo(ExitCodes.AUTH);

        CliRun admin = CliRun.run("gc", "--dry-run", "--server", "http://" + registry, "-u", "alice", "-p",
                "alice-pw", "--output", "json");
        assertThat(admin.exitCode()).as(admin.toString()).isZero();
        assertThat(admin.out()).contains("\"dryRun\" : true").contains("\"status\" : \"done\"");
    }

    @Test
    void withoutCredentialsTheCliExitsWithTheAuthCodeAndSaysWhatToDo() {
        CliRun anonymous = CliRun.run("manifest", "get", "--plain-http", "--registry-config",
                dir.resolve("empty.json").toString(), registry + "/secure/notes:1.0");

        assertThat(anonymous.exitCode()).isEqualTo(ExitCodes.AUTH);
        assertThat(anonymous.err().toLowerCase(java.util.Locale.ROOT)).contains("login");
        assertThat(anonymous.err()).doesNotContain("alice-pw");
    }
}
