package io.berth.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import io.berth.server.BerthServer;
import io.berth.server.config.BerthConfig;
import io.berth.server.log.LogConfig;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The client commands in-process against Berth: round trips, layouts, exit codes, login, completion. */
class ClientCommandsTest {
    @TempDir
    static Path data;
    static BerthServer server;
    static String registry;

    @TempDir
    Path work;

    @BeforeAll
    static void start() {
        server = BerthServer.start(BerthConfig.defaults(data).withListen("127.0.0.1", 0).withLog(LogConfig.DEFAULT.withAccess(false)));
        registry = "127.0.0.1:" + server.port();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static CliRun ok(String... args) {
        CliRun run = CliRun.run(args);
        assertThat(run.exitCode()).as(run.toString()).isZero();
        return run;
    }

    @Test
    void pushPullTagCopyAndDeleteRoundTrip() throws Exception {
        Path file = Files.writeString(work.resolve("notes.md"), "# notes\n");
        Path dir = Files.createDirectories(work.resolve("site/css"));
        Files.writeString(dir.resolve("main.css"), "body{}");
        String ref = registry + "/cli/notes:1.0";
        CliRun push = ok("push", "--plain-http", ref, file + ":text/markdown", work.resolve("site").toString(),
                "--artifact-type", "application/vnd.example.notes", "-a", "team=docs");
        assertThat(push.out()).contains("Pushed " + ref).contains("Digest: sha256:");

        ok("pull", "--plain-http", ref, "-o", work.resolve("out").toString());
        assertThat(work.resolve("out/notes.md")).hasSameTextualContentAs(file);
        assertThat(work.resolve("out/site/css/main.css")).hasContent("body{}");

        ok("tag", "--plain-http", ref, "latest", "stable");
        String manifest = ok("manifest", "get", "--plain-http", registry + "/cli/notes:stable").out().trim();
        assertThat(new ObjectMapper().readTree(manifest).path("annotations").path("team").asText()).isEqualTo("docs");

        ok("copy", "--plain-http", ref, registry + "/cli/copied:2.0");
        assertThat(ok("manifest", "get", "--plain-http", registry + "/cli/copied:2.0").out().trim()).isEqualTo(manifest);

        ok("copy", "--plain-http", ref, "oci:" + work.resolve("layout") + ":1.0");
        assertThat(work.resolve("layout/index.json")).content().contains("\"org.opencontainers.image.ref.name\":\"1.0\"");
        ok("pull", "oci:" + work.resolve("layout") + ":1.0", "-o", work.resolve("from-layout").toString());
        assertThat(work.resolve("from-layout/notes.md")).hasSameTextualContentAs(file);

        String digest = push.out().lines().filter(l -> l.startsWith("Digest: ")).findFirst().orElseThrow().substring(8);
        Path blobOut = work.resolve("blob.md");
        String layerDigest = new ObjectMapper().readTree(manifest).path("layers").get(0).path("digest").asText();
        ok("blob", "get", "--plain-http", registry + "/cli/notes@" + layerDigest, "-o", blobOut.toString());
        assertThat(blobOut).hasSameTextualContentAs(file);

        ok("delete", "--plain-http", registry + "/cli/notes@" + digest);
        assertThat(CliRun.run("manifest", "get", "--plain-http", ref).exitCode()).isEqualTo(ExitCodes.NOT_FOUND);
    }

    @Test
    void exitCodesSayWhatWentWrong() throws Exception {
        CliRun missing = CliRun.run("pull", "--plain-http", registry + "/cli/missing:1.0", "-o", work.toString());
        assertThat(missing.exitCode()).isEqualTo(ExitCodes.NOT_FOUND);
        assertThat(missing.err()).contains("does not exist").contains("berth show-tags");

        assertThat(CliRun.run("pull", "--no-such-flag").exitCode()).isEqualTo(ExitCodes.USAGE);
        CliRun badName = CliRun.run("pull", "--plain-http", registry + "/Not/Valid:1.0");
        assertThat(badName.exitCode()).isEqualTo(ExitCodes.USAGE);
        assertThat(badName.err()).contains("invalid repository name");
        assertThat(CliRun.run("pull", "--plain-http", registry + "/cli/no-tag").exitCode()).isEqualTo(ExitCodes.USAGE);

        HttpServer locked = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        locked.createContext("/", exchange -> {
            exchange.getResponseHeaders().add("WWW-Authenticate", "Basic realm=\"locked\"");
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            byte[] body = "{\"errors\":[{\"code\":\"UNAUTHORIZED\",\"message\":\"authentication required\"}]}".getBytes();
            exchange.sendResponseHeaders(401, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        locked.start();
        try {
            CliRun auth = CliRun.run("show-tags", "--plain-http", "127.0.0.1:" + locked.getAddress().getPort() + "/private/repo");
            assertThat(auth.exitCode()).as(auth.toString()).isEqualTo(ExitCodes.AUTH);
            assertThat(auth.err()).contains("UNAUTHORIZED").contains("berth login");
        } finally {
            locked.stop(0);
        }

        CliRun unreachable = CliRun.run("show-tags", "127.0.0.1:1/x");
        assertThat(unreachable.exitCode()).isEqualTo(ExitCodes.ERROR);
        assertThat(unreachable.err()).contains("cannot reach https://127.0.0.1:1");
    }

    @Test
    void loginChecksAndStoresCredentialsAndLogoutRemovesThem() throws Exception {
        Path config = work.resolve("auth.json");
        CliRun login = ok("login", "--plain-http", "--registry-config", config.toString(), "-u", "me", "-p", "secret", registry);
        assertThat(login.out()).contains("Login Succeeded");
        String stored = new ObjectMapper().readTree(config.toFile()).path("auths").path(registry).path("auth").asText();
        assertThat(new String(Base64.getDecoder().decode(stored), StandardCharsets.UTF_8)).isEqualTo("me:secret");

        assertThat(ok("logout", "--registry-config", config.toString(), registry).out()).contains("Removed");
        assertThat(new ObjectMapper().readTree(config.toFile()).path("auths").has(registry)).isFalse();

        CliRun refused = CliRun.run("login", "--registry-config", config.toString(), "-u", "me", "-p", "x", "127.0.0.1:1");
        assertThat(refused.exitCode()).isEqualTo(ExitCodes.ERROR);
        assertThat(new ObjectMapper().readTree(config.toFile()).path("auths").has("127.0.0.1:1")).isFalse();
    }

    @Test
    void completionVersionAndHelp() {
        CliRun completion = ok("completion");
        assertThat(completion.out()).contains("complete -F").contains("berth").contains("show-tags").contains("discover");
        assertThat(ok("version").out()).startsWith("berth ");
        String help = ok("--help").out();
        for (String verb : new String[] {"serve", "push", "pull", "copy", "tag", "attach", "discover", "ls", "show-tags",
                "manifest", "blob", "delete", "login", "logout", "version", "completion"}) {
            assertThat(help).contains("  " + verb);
        }
        assertThat(help).contains("3   not found").contains("4   authentication");
    }
}
