package io.berth.server.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.berth.server.testing.BerthFixture;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * New artifact types by configuration (issue #3): files in the types directory — the seed's mediaTypeMappings.json
 * unchanged, or Berth's own format — are picked up without a restart, existing artifacts are re-typed in the
 * background, and a broken file is reported with its position while the registry keeps serving.
 */
class TypeFilesTest {
    private static final String ROCKET_TYPES = """
            berthTypes: 1
            types:
              - id: acme-rocket
                title: Acme rocket
                description: A launch plan for Acme's rocket CLI.
                icon: "<svg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 24 24'><rect width='24' height='24' rx='5' fill='#c33'/></svg>"
                scanner: none
                match:
                  - configMediaType: application/vnd.acme.rocket.config.v1+json
                actions:
                  - title: Launch
                    command: rocket launch {registry}/{repository}:{tag}
            """;

    @TempDir
    Path dataDir;

    @Test
    void theSeedMappingsFileLoadsUnchangedAndItsTypesAreRecognized() throws Exception {
        Path types = Files.createDirectories(dataDir.resolve("types"));
        Files.copy(Path.of(getClass().getResource("/mediaTypeMappings.json").toURI()), types.resolve("mediaTypeMappings.json"));
        try (BerthFixture registry = BerthFixture.start(dataDir)) {
            RegistryHttp http = new RegistryHttp(registry.baseUri());
            JsonNode catalog = RegistryHttp.json(http.get("/api/v1/types"));

            assertThat(catalog.get("problems")).isEmpty();
            assertThat(ListingApiTest.find(catalog.get("types"), "helm-chart").get("source").asText())
                    .as("a file name, not where the server keeps it").isEqualTo("mediaTypeMappings.json");
            SeedListing.push(http);
            assertThat(type(http, SeedListing.HELM)).isEqualTo("helm-chart");
            assertThat(type(http, SeedListing.CNAB)).isEqualTo("cnab-bundle");
        }
    }

    @Test
    void aTypeFileAddedWhileRunningRetypesExistingArtifactsWithoutRestart() throws Exception {
        try (BerthFixture registry = BerthFixture.start(dataDir)) {
            RegistryHttp http = new RegistryHttp(registry.baseUri());
            RegistryHttp.Descriptor config = http.pushBlob("acme/rocket", "application/vnd.acme.rocket.config.v1+json",
                    "{}".getBytes(StandardCharsets.UTF_8));
            http.pushManifest("acme/rocket", "1.0", RegistryHttp.OCI_MANIFEST, RegistryHttp.ImageManifest.of(config).json());
            assertThat(type(http, "acme/rocket")).isEqualTo("unknown");

            Files.createDirectories(dataDir.resolve("types"));
            Files.writeString(dataDir.resolve("types/acme.yaml"), ROCKET_TYPES);

            eventually(() -> type(http, "acme/rocket").equals("acme-rocket"));
            JsonNode rocket = RegistryHttp.json(http.get("/api/v1/artifacts?repository=acme/rocket")).at("/artifacts/0");
            assertThat(rocket.at("/type/title").asText()).isEqualTo("Acme rocket");
            assertThat(rocket.at("/actions/0/command").asText()).isEqualTo("rocket launch " + registry.hostPort() + "/acme/rocket:1.0");
            assertThat(RegistryHttp.body(http.get("/api/v1/types/acme-rocket/icon.svg"))).contains("#c33");
        }
    }

    @Test
    void aMalformedTypeFileIsReportedWithItsPositionAndTheRegistryKeepsServing() throws Exception {
        try (BerthFixture registry = BerthFixture.start(dataDir)) {
            RegistryHttp http = new RegistryHttp(registry.baseUri());
            Files.createDirectories(dataDir.resolve("types"));
            Files.writeString(dataDir.resolve("types/broken.json"), "{\"berthTypes\": 1,\n  \"types\": [ {\"id\": \n");

            eventually(() -> RegistryHttp.json(http.get("/api/v1/types")).get("problems").size() > 0);
            JsonNode problem = RegistryHttp.json(http.get("/api/v1/types")).at("/problems/0");
            assertThat(problem.get("file").asText()).isEqualTo("broken.json");
            assertThat(problem.get("line").asInt()).isGreaterThan(0);
            assertThat(problem.get("message").asText()).isNotBlank();
            assertThat(RegistryHttp.json(http.get("/api/v1/types")).get("types").size()).isGreaterThanOrEqualTo(45);
            assertThat(http.pushImage("still/serving", "1").digest()).startsWith("sha256:");
        }
    }

    private static String type(RegistryHttp http, String repository) {
        return RegistryHttp.json(http.get("/api/v1/artifacts?repository=" + repository)).at("/artifacts/0/type/id").asText();
    }

    private static void eventually(Supplier<Boolean> condition) throws InterruptedException {
        Instant deadline = Instant.now().plusSeconds(20);
        while (!condition.get()) {
            assertThat(Instant.now()).as("condition met within 20 s").isBefore(deadline);
            Thread.sleep(200);
        }
    }
}
