package io.berth.server.listing;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.berth.oci.ManifestParser;
import io.berth.oci.type.ArtifactType;
import io.berth.oci.type.ServedCatalog;
import io.berth.oci.type.TypeCatalog;
import io.berth.oci.type.TypeSource;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The contract between the catalog the server serves ({@code GET /api/v1/types}, written by {@link ListingJson#type})
 * and the client's reader ({@link ServedCatalog}): every type read back has the same rules, actions, scanner, links
 * and source (a type file by its name), and detects like the server's catalog, built-ins, operators' Berth files and seed files alike.
 */
class ServedCatalogContractTest {
    static final String ACME = """
            berthTypes: 1
            types:
              - id: acme-rocket
                title: Acme rocket
                description: A launch plan.
                scanner: iac
                moreInfo: https://rocket.example/docs
                match:
                  - artifactType: [application/vnd.acme.rocket.v1, application/vnd.acme.rocket.v2]
                  - configMediaType: application/vnd.acme.rocket.config.v1+json
                    layerMediaTypePrefix: application/vnd.acme.rocket.
                  - annotation: {on: layer, key: com.acme.kind, value: rocket}
                actions:
                  - title: Launch
                    command: rocket launch {registry}/{repository}:{tag}
                    untagged: rocket launch {registry}/{repository}@{digest}
                links:
                  - {title: Get the CLI, url: https://rocket.example/install}
              - id: helm-chart
                title: Helm chart (ours)
                match:
                  - configMediaType: application/vnd.cncf.helm.config.v1+json
            """;
    static final String SEED = """
            {"schemaVersion": 1, "mediaTypes": [
              {"mediaType": "application/vnd.acme.balloon.config.v1+json", "title": "Balloon", "description": "Air."}
            ]}""";

    @Test
    void everyServedTypeReadsBackAsTheServerHasIt() {
        TypeCatalog server = TypeCatalog.loadSources(List.of(
                TypeSource.of("/data/types/a-acme.yaml", ACME.getBytes(StandardCharsets.UTF_8)),
                TypeSource.of("/data/types/b-seed.json", SEED.getBytes(StandardCharsets.UTF_8)))).catalog();
        ObjectNode body = ListingJson.MAPPER.createObjectNode();
        ArrayNode types = body.putArray("types");
        server.types().forEach(type -> types.add(ListingJson.type(type)));

        TypeCatalog client = ServedCatalog.read(body.toString().getBytes(StandardCharsets.UTF_8)).orElseThrow();

        assertThat(client.types()).extracting(ArtifactType::id)
                .containsExactlyInAnyOrderElementsOf(server.types().stream().map(ArtifactType::id).toList());
        for (ArtifactType expected : server.types()) {
            ArtifactType read = client.type(expected.id()).orElseThrow();
            assertThat(read.title()).isEqualTo(expected.title());
            assertThat(read.rules()).as(expected.id()).isEqualTo(expected.rules());
            assertThat(read.actions()).as(expected.id()).isEqualTo(expected.actions());
            assertThat(read.scanner()).isEqualTo(expected.scanner());
            assertThat(read.links()).isEqualTo(expected.links());
            assertThat(read.moreInfo()).isEqualTo(expected.moreInfo());
            assertThat(read.source()).as("the file's name, not where the server keeps it")
                    .isEqualTo(ListingJson.fileName(expected.source()));
        }
        assertThat(client.type("helm-chart").orElseThrow().title()).isEqualTo("Helm chart (ours)");

        for (String manifest : List.of(
                manifest("application/vnd.acme.rocket.v2", "application/vnd.oci.empty.v1+json", "application/octet-stream", ""),
                manifest(null, "application/vnd.acme.rocket.config.v1+json", "application/vnd.acme.rocket.plan", ""),
                manifest(null, "application/vnd.oci.image.config.v1+json", "application/octet-stream", "rocket"),
                manifest(null, "application/vnd.cncf.helm.config.v1+json", "application/vnd.cncf.helm.chart.content.v1.tar+gzip", ""),
                manifest(null, "application/vnd.acme.balloon.config.v1+json", "application/octet-stream", ""),
                manifest(null, "application/vnd.oci.image.config.v1+json", "application/vnd.oci.image.layer.v1.tar+gzip", ""))) {
            var parsed = ManifestParser.parse(manifest.getBytes(StandardCharsets.UTF_8), "application/vnd.oci.image.manifest.v1+json");
            assertThat(client.detect(parsed).type().id()).as(manifest).isEqualTo(server.detect(parsed).type().id());
        }
        assertThat(client.detect(ManifestParser.parse(manifest("application/vnd.acme.rocket.v1", "application/vnd.oci.empty.v1+json",
                "application/octet-stream", "").getBytes(StandardCharsets.UTF_8), "application/vnd.oci.image.manifest.v1+json"))
                .type().id()).isEqualTo("acme-rocket");
    }

    @Test
    void anythingElseIsNoCatalog() {
        for (String body : List.of("", "<html>login</html>", "{}", "{\"types\":[]}", "{\"types\":[{\"id\":\"x\",\"title\":\"X\"}]}",
                "{\"errors\":[{\"code\":\"NAME_UNKNOWN\"}]}")) {
            assertThat(ServedCatalog.read(body.getBytes(StandardCharsets.UTF_8))).as(body).isEmpty();
        }
    }

    private static String manifest(String artifactType, String configType, String layerType, String layerKind) {
        String digest = "sha256:" + "a".repeat(64);
        return "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\","
                + (artifactType == null ? "" : "\"artifactType\":\"" + artifactType + "\",")
                + "\"config\":{\"mediaType\":\"" + configType + "\",\"digest\":\"" + digest + "\",\"size\":2},"
                + "\"layers\":[{\"mediaType\":\"" + layerType + "\",\"digest\":\"" + digest + "\",\"size\":2"
                + (layerKind.isEmpty() ? "" : ",\"annotations\":{\"com.acme.kind\":\"" + layerKind + "\"}") + "}]}";
    }
}
