package io.berth.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.berth.client.ClientOptions;
import io.berth.client.artifact.Artifacts;
import io.berth.oci.Reference;
import io.berth.oci.Repository;
import io.berth.oci.type.TypeCatalog;
import io.berth.server.BerthServer;
import io.berth.server.config.BerthConfig;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code show-tags} types artifacts with a Berth server's own catalog (issue #17): a type the operator configured in the
 * server's types directory shows with its title and its action, while the same artifact on CNCF Distribution (Debian's
 * {@code docker-registry}, which has no type catalog) is typed with the built-in catalog.
 */
class ShowTagsTypesTest {
    static final Path DISTRIBUTION = Path.of("/usr/bin/docker-registry");
    static final String ROCKET_TYPES = """
            berthTypes: 1
            types:
              - id: acme-rocket
                title: Acme rocket
                description: A launch plan for Acme's rocket CLI.
                scanner: none
                match:
                  - artifactType: application/vnd.acme.rocket.v1
                actions:
                  - title: Launch
                    command: rocket launch {registry}/{repository}:{tag}
            """;

    @TempDir
    static Path dir;
    static BerthServer berth;
    static Process distribution;
    static String berthHost;
    static String distributionHost;

    @BeforeAll
    static void start() throws Exception {
        Path data = dir.resolve("berth");
        Files.createDirectories(data.resolve("types"));
        Files.writeString(data.resolve("types/acme.yaml"), ROCKET_TYPES);
        berth = BerthServer.start(BerthConfig.defaults(data).withListen("127.0.0.1", 0));
        berthHost = "127.0.0.1:" + berth.port();
        distributionHost = startDistribution(dir.resolve("distribution"));

        Path plan = Files.writeString(dir.resolve("plan.yaml"), "stages: 2\n");
        for (String host : new String[] {berthHost, distributionHost}) {
            CliRun push = CliRun.run("push", "--plain-http", host + "/acme/rocket:1.0", plan + ":application/vnd.acme.rocket.plan.v1+yaml",
                    "--artifact-type", "application/vnd.acme.rocket.v1");
            assertThat(push.exitCode()).as(push.toString()).isZero();
        }
    }

    @AfterAll
    static void stop() throws Exception {
        berth.close();
        distribution.destroy();
        distribution.waitFor();
    }

    @Test
    void onBerthAConfiguredTypeShowsWithItsTitleAndAction() throws Exception {
        CliRun table = CliRun.run("show-tags", "--plain-http", berthHost + "/acme/rocket");
        assertThat(table.exitCode()).as(table.toString()).isZero();
        assertThat(table.out()).contains("Acme rocket").contains("rocket launch " + berthHost + "/acme/rocket:1.0");

        CliRun json = CliRun.run("show-tags", "--plain-http", "--output", "json", berthHost + "/acme/rocket");
        JsonNode tag = new ObjectMapper().readTree(json.out()).get(0);
        assertThat(tag.get("type").asText()).isEqualTo("acme-rocket");
        assertThat(tag.at("/actions/0/command").asText()).isEqualTo("rocket launch " + berthHost + "/acme/rocket:1.0");

        CliRun ls = CliRun.run("ls", "--plain-http", berthHost);
        assertThat(ls.out()).contains("acme/rocket").contains("Acme rocket");

        Path notes = Files.writeString(dir.resolve("notes.md"), "# launch notes\n");
        CliRun attach = CliRun.run("attach", "--plain-http", berthHost + "/acme/rocket:1.0", notes + ":text/markdown",
                "--artifact-type", "application/vnd.acme.rocket.v1");
        assertThat(attach.exitCode()).as(attach.toString()).isZero();
        CliRun discover = CliRun.run("discover", "--plain-http", berthHost + "/acme/rocket:1.0");
        assertThat(discover.out()).as(discover.toString()).contains("└── Acme rocket  application/vnd.acme.rocket.v1");
    }

    @Test
    void onAnotherRegistryTheBuiltInCatalogTypesTheSameArtifact() {
        CliRun table = CliRun.run("show-tags", "--plain-http", distributionHost + "/acme/rocket");
        assertThat(table.exitCode()).as(table.toString()).isZero();
        assertThat(table.out()).contains("1.0").doesNotContain("Acme rocket").doesNotContain("rocket launch");

        try (Artifacts artifacts = Artifacts.create(ClientOptions.defaults().withPlainHttp(true))) {
            var manifest = artifacts.client(distributionHost).manifest(Repository.of("acme/rocket"), new Reference.Tag("1.0"))
                    .orElseThrow();
            String builtInTitle = TypeCatalog.builtIn().detect(manifest.parsed()).type().title();
            assertThat(table.out()).contains("1.0  " + builtInTitle);
            assertThat(artifacts.types(distributionHost)).isSameAs(TypeCatalog.builtIn());
            assertThat(artifacts.types(berthHost).type("acme-rocket")).isPresent();
        }
    }

    private static String startDistribution(Path data) throws IOException {
        assertThat(DISTRIBUTION).as("apt-get install -y docker-registry (.ci/run installs it)").isExecutable();
        int port;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = socket.getLocalPort();
        }
        Files.createDirectories(data);
        Path config = Files.writeString(data.resolve("config.yml"), """
                version: 0.1
                log:
                  level: warn
                storage:
                  filesystem:
                    rootdirectory: %s
                http:
                  addr: 127.0.0.1:%d
                """.formatted(data.resolve("storage"), port));
        distribution = new ProcessBuilder(DISTRIBUTION.toString(), "serve", config.toString())
                .redirectErrorStream(true).redirectOutput(data.resolve("registry.log").toFile()).start();
        Instant deadline = Instant.now().plus(Duration.ofSeconds(30));
        while (Instant.now().isBefore(deadline)) {
            assertThat(distribution.isAlive()).as("docker-registry is running").isTrue();
            try (Socket ignored = new Socket("127.0.0.1", port)) {
                return "127.0.0.1:" + port;
            } catch (IOException notYet) {
                sleep();
            }
        }
        throw new AssertionError("docker-registry did not listen on " + port + " within 30 s");
    }

    private static void sleep() {
        try {
            Thread.sleep(50);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }
}
