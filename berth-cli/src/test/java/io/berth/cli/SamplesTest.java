package io.berth.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.berth.server.BerthServer;
import io.berth.server.config.BerthConfig;
import io.berth.server.log.LogConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs every script under {@code samples/} (with {@code berth} as a child JVM on the test class path) against a Berth
 * server, then checks what {@code berth show-tags}, {@code berth ls} and {@code berth discover} say about them.
 */
class SamplesTest {
    static final Path SAMPLES = Path.of("..", "samples").toAbsolutePath().normalize();
    static final List<String> ORDER = List.of("image", "helm", "cnab", "arm", "ecs-task", "image-docs", "signature", "sbom");

    @TempDir
    static Path data;
    static BerthServer server;
    static String registry;

    @BeforeAll
    static void pushEverySample() throws Exception {
        server = BerthServer.start(BerthConfig.defaults(data.resolve("berth")).withListen("127.0.0.1", 0)
                .withLog(LogConfig.DEFAULT.withAccess(false)));
        registry = "127.0.0.1:" + server.port();
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String berth = java + " -cp " + System.getProperty("java.class.path") + " " + Main.class.getName();
        for (String sample : ORDER) {
            Path log = data.resolve(sample + ".log");
            ProcessBuilder builder = new ProcessBuilder("bash", SAMPLES.resolve(sample).resolve("push.sh").toString())
                    .redirectErrorStream(true).redirectOutput(log.toFile());
            builder.environment().put("REGISTRY", registry);
            builder.environment().put("BERTH", berth);
            Process process = builder.start();
            assertThat(process.waitFor(3, TimeUnit.MINUTES)).as("%s finishes", sample).isTrue();
            assertThat(process.exitValue()).as("samples/%s/push.sh:%n%s", sample, Files.readString(log)).isZero();
        }
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @Test
    void everyRowOfTheGuidancesListingHasASampleWithAReadme() {
        for (String sample : ORDER) {
            assertThat(SAMPLES.resolve(sample).resolve("README.md")).isRegularFile();
            assertThat(SAMPLES.resolve(sample).resolve("push.sh")).isRegularFile();
        }
    }

    @Test
    void showTagsTypesEverySample() {
        assertShowTags("samples/image/hello-world", "1.0", "Multi-platform image (linux/amd64, windows/amd64)", "docker run --rm");
        assertShowTags("samples/image/hello-world", "1.0-linux-amd64", "OCI image", "docker run --rm");
        assertShowTags("samples/helm/hello-world", "1.0", "Helm chart",
                "helm install hello-world oci://" + registry + "/samples/helm/hello-world --version 1.0");
        assertShowTags("samples/cnab/hello-world", "1.0", "CNAB bundle", "porter install hello-world");
        assertShowTags("samples/arm/hello-world", "1.0", "ARM template", "oras pull");
        assertShowTags("samples/ecs-task/hello-world", "1.0", "Amazon ECS task definition", "oras pull");
    }

    private static void assertShowTags(String repository, String tag, String type, String action) {
        CliRun run = CliRun.run("show-tags", "--plain-http", registry + "/" + repository);
        assertThat(run.exitCode()).as(run.toString()).isZero();
        assertThat(run.out()).startsWith("Repository: " + repository + "\nTag");
        List<String> row = new ArrayList<>();
        for (String line : run.out().split("\n")) {
            if (line.startsWith(tag + " ")) {
                row.add(line);
            }
        }
        assertThat(row).as(run.out()).singleElement().satisfies(line -> {
            assertThat(line).contains("  " + type + "  ");
            assertThat(line).contains(action);
        });
    }

    @Test
    void showTagsAndLsSpeakJson() throws Exception {
        CliRun tags = CliRun.run("show-tags", "--plain-http", "--output", "json", registry + "/samples/helm/hello-world");
        JsonNode helm = new ObjectMapper().readTree(tags.out());
        assertThat(helm).hasSize(1);
        assertThat(helm.get(0).path("type").asText()).isEqualTo("helm-chart");
        assertThat(helm.get(0).path("title").asText()).isEqualTo("Helm chart");
        assertThat(helm.get(0).path("actions").get(0).path("command").asText()).startsWith("helm install");

        CliRun ls = CliRun.run("ls", "--plain-http", "--output", "json", registry);
        JsonNode repositories = new ObjectMapper().readTree(ls.out());
        assertThat(repositories.findValuesAsText("repository")).containsExactly("samples/arm/hello-world",
                "samples/cnab/hello-world", "samples/ecs-task/hello-world", "samples/helm/hello-world", "samples/image/hello-world");
        JsonNode image = repositories.get(4);
        assertThat(image.path("tags").asInt()).isEqualTo(3);
        assertThat(image.path("types").path("oci-image-index").asInt()).isEqualTo(1);
        assertThat(image.path("types").path("oci-image").asInt()).isEqualTo(2);

        CliRun text = CliRun.run("ls", "--plain-http", registry);
        assertThat(text.out()).contains("samples/image/hello-world     3     Multi-platform image, OCI image ×2");
    }

    @Test
    void discoverShowsTheDocsSignatureAndSbomAttachedToTheImage() throws Exception {
        CliRun run = CliRun.run("discover", "--plain-http", registry + "/samples/image/hello-world:1.0");
        assertThat(run.exitCode()).as(run.toString()).isZero();
        assertThat(run.out()).contains("Notary Project signature  application/vnd.cncf.notary.signature")
                .contains("SPDX SBOM  application/spdx+json")
                .contains("Container image docs  application/vnd.oci.doc.config.v1+json");
        assertThat(run.out().lines().filter(l -> l.startsWith("├── ") || l.startsWith("└── "))).hasSize(3);

        JsonNode tree = new ObjectMapper().readTree(CliRun.run("discover", "--plain-http", "--output", "json",
                registry + "/samples/image/hello-world:1.0").out());
        assertThat(tree.path("type").asText()).isEqualTo("oci-image-index");
        assertThat(tree.path("referrers").findValuesAsText("type"))
                .containsExactlyInAnyOrder("notation-signature", "spdx-sbom", "image-docs");
    }

    @Test
    void skopeoReadsWhatTheCliPushedAndTheCliReadsWhatSkopeoCopied() throws Exception {
        Path sandbox = Files.createDirectories(data.resolve("skopeo"));
        Files.writeString(sandbox.resolve("policy.json"), "{\"default\":[{\"type\":\"insecureAcceptAnything\"}]}");
        Files.writeString(sandbox.resolve("registries.conf"), "unqualified-search-registries = []\n");
        String image = registry + "/samples/image/hello-world:1.0";
        String manifest = CliRun.run("manifest", "get", "--plain-http", image).out().trim();

        String raw = skopeo(sandbox, "inspect", "--raw", "--tls-verify=false", "docker://" + image);
        assertThat(raw.trim()).isEqualTo(manifest);

        Path layout = data.resolve("skopeo-layout");
        skopeo(sandbox, "copy", "--all", "--src-tls-verify=false", "docker://" + image, "oci:" + layout + ":1.0");
        assertThat(CliRun.run("manifest", "get", "oci:" + layout + ":1.0").out().trim()).isEqualTo(manifest);
        CliRun pulled = CliRun.run("pull", "oci:" + layout + ":1.0", "--platform", "linux/amd64", "-o", data.resolve("from-skopeo").toString());
        assertThat(pulled.exitCode()).as(pulled.toString()).isZero();
        assertThat(data.resolve("from-skopeo/layer.tar.gz")).isRegularFile();
    }

    private static String skopeo(Path sandbox, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of("skopeo", "--policy", sandbox.resolve("policy.json").toString(),
                "--registries-conf", sandbox.resolve("registries.conf").toString()));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command).redirectError(sandbox.resolve("stderr.txt").toFile());
        builder.environment().put("HOME", sandbox.toString());
        builder.environment().put("REGISTRY_AUTH_FILE", sandbox.resolve("auth.json").toString());
        Process process = builder.start();
        String out = new String(process.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        assertThat(process.waitFor(3, TimeUnit.MINUTES)).isTrue();
        assertThat(process.exitValue()).as("%s%n%s", command, Files.readString(sandbox.resolve("stderr.txt"))).isZero();
        return out;
    }

    @Test
    void theImageSamplesPlatformsPullAsTheirLayers() throws Exception {
        Path out = data.resolve("pulled");
        CliRun run = CliRun.run("pull", "--plain-http", registry + "/samples/image/hello-world:1.0",
                "--platform", "windows/amd64", "-o", out.toString());
        assertThat(run.exitCode()).as(run.toString()).isZero();
        assertThat(out.resolve("layer.tar.gz")).isRegularFile();

        CliRun ambiguous = CliRun.run("pull", "--plain-http", registry + "/samples/image/hello-world:1.0", "-o", out.toString());
        assertThat(ambiguous.exitCode()).isEqualTo(ExitCodes.USAGE);
        assertThat(ambiguous.err()).contains("--platform linux/amd64 | windows/amd64");
    }
}
