package io.berth.server.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.berth.server.testing.BerthFixture;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The registry listing API (issue #3) over the seed's listing: every field, the filters and the paging. */
class ListingApiTest {
    @TempDir
    static Path dataDir;
    static BerthFixture registry;
    static RegistryHttp http;
    static SeedListing seed;

    @BeforeAll
    static void start() {
        registry = BerthFixture.start(dataDir);
        http = new RegistryHttp(registry.baseUri());
        seed = SeedListing.push(http);
    }

    @AfterAll
    static void stop() {
        registry.close();
    }

    private static JsonNode get(String target) {
        HttpResponse<byte[]> response = http.get(target);
        assertThat(response.statusCode()).as(RegistryHttp.body(response)).isEqualTo(200);
        return RegistryHttp.json(response);
    }

    private static JsonNode artifact(String repository) {
        JsonNode artifacts = get("/api/v1/artifacts?repository=" + repository).get("artifacts");
        assertThat(artifacts).as("one artifact in %s", repository).hasSize(1);
        return artifacts.get(0);
    }

    @Test
    void eachSeedArtifactIsListedWithItsTypeIconAndActions() {
        SeedListing.expectedTypes().forEach((repository, typeId) -> {
            JsonNode artifact = artifact(repository);
            assertThat(artifact.get("reference").asText()).isEqualTo(repository + ":1.0");
            assertThat(artifact.get("tag").asText()).isEqualTo("1.0");
            assertThat(artifact.at("/type/id").asText()).as(repository).isEqualTo(typeId);
            assertThat(artifact.at("/type/icon").asText()).isEqualTo("/api/v1/types/" + typeId + "/icon.svg");
            assertThat(artifact.get("actions")).isNotEmpty()
                    .allSatisfy(action -> assertThat(action.get("command").asText()).doesNotContain("{", "}"))
                    .anySatisfy(action -> assertThat(action.get("command").asText()).contains(registry.hostPort() + "/" + repository));
        });
        JsonNode helm = artifact(SeedListing.HELM);
        assertThat(helm.at("/type/title").asText()).isEqualTo("Helm chart");
        assertThat(helm.at("/actions/0/command").asText())
                .isEqualTo("helm install hello-world oci://" + registry.hostPort() + "/samples/helm/hello-world --version 1.0");
    }

    @Test
    void theImageIndexShowsPlatformsSizeAnnotationsAndReferrerCounts() {
        JsonNode image = artifact(SeedListing.IMAGE);

        assertThat(strings(image.get("platforms"))).containsExactly("linux/amd64", "windows/amd64");
        assertThat(image.get("digest").asText()).isEqualTo(seed.imageIndex.digest());
        assertThat(image.get("mediaType").asText()).isEqualTo(RegistryHttp.OCI_INDEX);
        assertThat(image.get("artifactType").isNull()).isTrue();
        assertThat(image.get("size").asLong()).as("index + 2 × (manifest + config + 1 KiB layer)")
                .isGreaterThan(seed.imageIndex.size() + 2 * 1024);
        assertThat(Instant.parse(image.get("pushedAt").asText())).isBefore(Instant.now().plusSeconds(1));
        assertThat(image.at("/annotations/title").asText()).isEqualTo("Hello, world");
        assertThat(image.at("/annotations/version").asText()).isEqualTo("1.0");
        assertThat(image.at("/referrers/image-docs").asLong()).isEqualTo(1);
        assertThat(image.at("/referrers/cosign-signature").asLong()).isEqualTo(1);
        assertThat(image.at("/referrers/spdx-sbom").asLong()).isEqualTo(1);
    }

    /** A page over two repositories that hold the same manifest: each counts only the referrers it holds itself. */
    @Test
    void referrerCountsOfAPageOverSeveralRepositoriesAreEachRepositorysOwn() {
        byte[] configBytes = "{\"architecture\":\"amd64\",\"os\":\"linux\",\"shared\":true}".getBytes(StandardCharsets.UTF_8);
        RegistryHttp.Descriptor config = http.pushBlob("shared/a", RegistryHttp.OCI_CONFIG, configBytes);
        http.pushBlob("shared/b", RegistryHttp.OCI_CONFIG, configBytes);
        byte[] image = RegistryHttp.ImageManifest.of(config).json();
        RegistryHttp.Descriptor subject = http.pushManifest("shared/a", "v1", RegistryHttp.OCI_MANIFEST, image);
        http.pushManifest("shared/b", "v1", RegistryHttp.OCI_MANIFEST, image);
        RegistryHttp.Descriptor empty = http.pushBlob("shared/a", "application/vnd.oci.empty.v1+json", RegistryHttp.EMPTY_JSON);
        byte[] sbom = RegistryHttp.ImageManifest.of(empty).artifactType("application/spdx+json").subject(subject).json();
        http.pushManifest("shared/a", RegistryHttp.sha256(sbom), RegistryHttp.OCI_MANIFEST, sbom);

        Map<String, JsonNode> page = new LinkedHashMap<>();
        get("/api/v1/artifacts?n=10&q=shared/").get("artifacts").forEach(a -> page.put(a.get("reference").asText(), a));
        assertThat(page).containsOnlyKeys("shared/a:v1", "shared/b:v1");
        assertThat(page.get("shared/a:v1").get("referrers").toString()).isEqualTo("{\"spdx-sbom\":1}");
        assertThat(page.get("shared/b:v1").get("referrers").toString()).isEqualTo("{}");
    }

    @Test
    void everyAnnotationIsListedOnRequestWithinABudgetAndInFullForOneArtifact() {
        RegistryHttp.Descriptor config = http.pushBlob("annotated/app", "application/vnd.example.config+json", RegistryHttp.EMPTY_JSON);
        String big = "x".repeat(5000);
        http.pushManifest("annotated/app", "1.0", RegistryHttp.OCI_MANIFEST, RegistryHttp.ImageManifest.of(config)
                .annotation("org.opencontainers.image.title", "Annotated")
                .annotation("org.opencontainers.image.source", "https://git.example/app")
                .annotation("com.example.team", "platform")
                .annotation("com.example.z-big-1", big)
                .annotation("com.example.z-big-2", big).json());

        JsonNode wellKnown = artifact("annotated/app");
        assertThat(wellKnown.get("annotations").toString()).isEqualTo("{\"title\":\"Annotated\"}");
        assertThat(wellKnown.has("allAnnotations")).isFalse();
        assertThat(get("/api/v1/artifacts?repository=annotated/app&annotations=well-known").get("artifacts").get(0))
                .isEqualTo(wellKnown);

        JsonNode all = get("/api/v1/artifacts?repository=annotated/app&annotations=all").get("artifacts").get(0);
        assertThat(all.get("annotations")).isEqualTo(wellKnown.get("annotations"));
        List<String> keys = new ArrayList<>();
        all.get("allAnnotations").fieldNames().forEachRemaining(keys::add);
        assertThat(keys).as("in key order, as many as fit in 8 KiB").containsExactly("com.example.team", "com.example.z-big-1", "org.opencontainers.image.source",
                        "org.opencontainers.image.title");
        assertThat(all.at("/allAnnotations/org.opencontainers.image.source").asText()).isEqualTo("https://git.example/app");
        assertThat(all.get("annotationsTruncated").asBoolean()).isTrue();

        JsonNode full = get("/api/v1/artifact?repository=annotated/app&reference=1.0");
        assertThat(full.get("allAnnotations")).hasSize(5);
        assertThat(full.at("/allAnnotations/com.example.z-big-2").asText()).isEqualTo(big);

        http.pushManifest("annotated/app", "2.0", RegistryHttp.OCI_MANIFEST, RegistryHttp.ImageManifest.of(config).json());
        HttpResponse<byte[]> paged = http.get("/api/v1/artifacts?repository=annotated/app&annotations=all&n=1");
        assertThat(RegistryHttp.nextLink(paged)).hasValueSatisfying(link -> assertThat(link).contains("annotations=all"));
        RegistryHttp.assertError(http.get("/api/v1/artifacts?annotations=some"), 400, "UNSUPPORTED");
    }

    @Test
    void referrersAndIndexChildrenAreNotListedAsArtifactsOfTheirOwn() {
        JsonNode artifacts = get("/api/v1/artifacts?q=samples/").get("artifacts");

        assertThat(artifacts).extracting(a -> a.get("reference").asText()).containsExactly(
                "samples/arm/hello-world:1.0", "samples/cnab/hello-world:1.0", "samples/ecs-task/hello-world:1.0",
                "samples/helm/hello-world:1.0", "samples/image/hello-world:1.0");
    }

    @Test
    void oneArtifactInFullHasLayersTypedChildrenAndTheReferrerTree() {
        JsonNode image = get("/api/v1/artifact?repository=" + SeedListing.IMAGE + "&reference=1.0");

        assertThat(strings(image.get("tags"))).containsExactly("1.0");
        assertThat(image.at("/manifest/mediaType").asText()).isEqualTo(RegistryHttp.OCI_INDEX);
        assertThat(image.get("children")).hasSize(2).allSatisfy(child ->
                assertThat(child.at("/type/id").asText()).isEqualTo("oci-image"));
        assertThat(image.get("children")).extracting(c -> c.get("platform").asText())
                .containsExactly("linux/amd64", "windows/amd64");
        assertThat(image.get("referrerTree")).extracting(r -> r.at("/type/id").asText())
                .containsExactlyInAnyOrder("image-docs", "cosign-signature", "spdx-sbom");
        assertThat(image.get("referrerTree")).allSatisfy(r ->
                assertThat(r.get("reference").asText()).startsWith(SeedListing.IMAGE + "@sha256:"));

        JsonNode helm = get("/api/v1/artifact?repository=" + SeedListing.HELM + "&reference=1.0");
        assertThat(helm.at("/config/mediaType").asText()).isEqualTo("application/vnd.cncf.helm.config.v1+json");
        assertThat(helm.get("layers")).hasSize(1);
        assertThat(helm.at("/layers/0/mediaType").asText()).isEqualTo("application/vnd.cncf.helm.chart.content.v1.tar+gzip");
    }

    @Test
    void repositoriesShowArtifactCountsPerTypeSizeAndLastPush() {
        JsonNode repositories = get("/api/v1/repositories?q=samples/").get("repositories");

        assertThat(repositories).extracting(r -> r.get("name").asText()).containsExactly(
                SeedListing.ARM, SeedListing.CNAB, SeedListing.ECS, SeedListing.HELM, SeedListing.IMAGE);
        JsonNode image = repositories.get(4);
        assertThat(image.at("/artifacts/oci-image-index").asLong()).isEqualTo(1);
        assertThat(image.get("artifacts")).hasSize(1);
        assertThat(image.get("size").asLong()).isGreaterThan(2 * 1024);
        assertThat(Instant.parse(image.get("lastPush").asText())).isAfter(Instant.now().minus(Duration.ofMinutes(5)));
    }

    @Test
    void aPageOfRepositoriesSummarizesEachOnItsOwn() {
        JsonNode page = get("/api/v1/repositories?q=samples/").get("repositories");

        assertThat(page).hasSize(5);
        for (JsonNode repository : page) {
            String name = repository.get("name").asText();
            JsonNode alone = get("/api/v1/repositories?q=" + name).get("repositories");
            assertThat(alone).hasSize(1);
            assertThat(repository).as(name).isEqualTo(alone.get(0));
        }
        assertThat(page).extracting(r -> r.get("artifacts").toString()).containsExactly(
                "{\"arm-template\":1}", "{\"cnab-bundle\":1}", "{\"ecs-task\":1}", "{\"helm-chart\":1}", "{\"oci-image-index\":1}");
        assertThat(page.get(4).get("size").asLong()).isGreaterThan(page.get(3).get("size").asLong() + 2 * 1024 - 512);
    }

    @Test
    void filtersByTypeAndByName() {
        assertThat(get("/api/v1/artifacts?type=helm-chart").get("artifacts"))
                .extracting(a -> a.get("repository").asText()).containsExactly(SeedListing.HELM);
        assertThat(get("/api/v1/repositories?type=ecs-task").get("repositories"))
                .extracting(r -> r.get("name").asText()).containsExactly(SeedListing.ECS);
        assertThat(get("/api/v1/repositories?q=CNAB").get("repositories"))
                .extracting(r -> r.get("name").asText()).containsExactly(SeedListing.CNAB);
        assertThat(get("/api/v1/artifacts?repository=" + SeedListing.IMAGE + "&q=2.0").get("artifacts")).isEmpty();
        assertThat(get("/api/v1/artifacts?type=no-such-type").get("artifacts")).isEmpty();
    }

    @Test
    void artifactsPageWithLinkHeadersAcrossRepositories() {
        List<String> seen = new ArrayList<>();
        String next = "/api/v1/artifacts?n=2&q=samples/";
        int pages = 0;
        while (next != null) {
            HttpResponse<byte[]> response = http.get(next);
            assertThat(response.statusCode()).isEqualTo(200);
            RegistryHttp.json(response).get("artifacts").forEach(a -> seen.add(a.get("reference").asText()));
            next = RegistryHttp.nextLink(response).orElse(null);
            pages++;
        }
        assertThat(pages).isEqualTo(3);
        assertThat(seen).hasSize(5).doesNotHaveDuplicates();
    }

    /** A type filter pages from the counts' (type, name) index: one repository per page, all of them, in name order. */
    @Test
    void repositoriesAndArtifactsOfATypePageInNameOrder() {
        for (String name : List.of("bytype/c", "bytype/a", "bytype/b")) {
            http.pushImage(name, "v1");
        }
        String type = get("/api/v1/artifacts?repository=bytype/a").get("artifacts").get(0).get("type").get("id").asText();
        for (String kind : List.of("repositories", "artifacts")) {
            List<String> seen = new ArrayList<>();
            String next = "/api/v1/" + kind + "?n=1&q=bytype/&type=" + type;
            while (next != null) {
                HttpResponse<byte[]> response = http.get(next);
                assertThat(response.statusCode()).isEqualTo(200);
                RegistryHttp.json(response).get(kind).forEach(r -> seen.add(r.get(kind.equals("artifacts") ? "reference"
                        : "name").asText()));
                next = RegistryHttp.nextLink(response).orElse(null);
                assertThat(seen).as(kind).hasSizeLessThan(5);
            }
            assertThat(seen).as(kind).containsExactly(kind.equals("artifacts")
                    ? new String[] {"bytype/a:v1", "bytype/b:v1", "bytype/c:v1"}
                    : new String[] {"bytype/a", "bytype/b", "bytype/c"});
        }
        // one page across the three: the walk runs its prepared queries again for each repository
        List<String> onePage = new ArrayList<>();
        get("/api/v1/artifacts?n=10&q=bytype/&type=" + type).get("artifacts").forEach(a -> onePage.add(a.get("reference").asText()));
        assertThat(onePage).containsExactly("bytype/a:v1", "bytype/b:v1", "bytype/c:v1");
        assertThat(get("/api/v1/repositories?q=bytype/&type=helm-chart").get("repositories")).isEmpty();
    }

    @Test
    void untaggedTopLevelManifestsAndManyTagsPageWithinARepository() {
        for (int i = 0; i < 7; i++) {
            http.pushImage("paging/app", "v" + i);
        }
        byte[] image = http.imageWithBlobs("paging/app").json();
        RegistryHttp.Descriptor untagged = http.pushManifest("paging/app", RegistryHttp.sha256(image), RegistryHttp.OCI_MANIFEST, image);
        List<String> seen = new ArrayList<>();
        String next = "/api/v1/artifacts?repository=paging/app&n=3";
        while (next != null) {
            HttpResponse<byte[]> response = http.get(next);
            RegistryHttp.json(response).get("artifacts").forEach(a -> seen.add(a.get("reference").asText()));
            next = RegistryHttp.nextLink(response).orElse(null);
        }
        assertThat(seen).as("7 tags, then the untagged manifest").hasSize(8).doesNotHaveDuplicates().startsWith("paging/app:v0", "paging/app:v1")
                .anySatisfy(r -> assertThat(r).startsWith("paging/app@sha256:"));
        assertThat(untagged.digest()).startsWith("sha256:");
    }

    @Test
    void typesListTheCatalogWithIconsAndEachIconIsSvg() {
        JsonNode types = get("/api/v1/types").get("types");

        assertThat(types.size()).isGreaterThanOrEqualTo(45);
        JsonNode helm = find(types, "helm-chart");
        assertThat(helm.get("source").asText()).isEqualTo("built-in");
        assertThat(helm.get("detection")).isNotEmpty();
        assertThat(helm.get("actions")).isNotEmpty();
        HttpResponse<byte[]> icon = http.get(helm.get("icon").asText());
        assertThat(icon.statusCode()).isEqualTo(200);
        assertThat(RegistryHttp.contentType(icon)).isEqualTo("image/svg+xml");
        assertThat(RegistryHttp.body(icon)).startsWith("<svg");
        RegistryHttp.assertError(http.get("/api/v1/types/no-such-type/icon.svg"), 404, "NAME_UNKNOWN");
    }

    @Test
    void unknownArtifactsAreListedAsUnknownWithTheirMediaType() {
        RegistryHttp.Descriptor config = http.pushBlob("odd/thing", "application/vnd.example.never-seen+json", "{}".getBytes(StandardCharsets.UTF_8));
        http.pushManifest("odd/thing", "1", RegistryHttp.OCI_MANIFEST, RegistryHttp.ImageManifest.of(config).json());

        JsonNode odd = artifact("odd/thing");
        assertThat(odd.at("/type/id").asText()).isEqualTo("unknown");
        assertThat(odd.get("artifactType").asText()).isEqualTo("application/vnd.example.never-seen+json");
    }

    @Test
    void theListingPagesLikeTheRegistryApi() {
        assertThat(get("/api/v1/artifacts?n=0").get("artifacts")).isEmpty();
        HttpResponse<byte[]> empty = http.get("/api/v1/repositories?n=0");
        assertThat(empty.headers().firstValue("Link")).isEmpty();
        HttpResponse<byte[]> first = http.get("/api/v1/repositories?n=1");
        assertThat(first.headers().firstValue("Link").orElseThrow()).startsWith("</api/v1/repositories?n=1&last=");
    }

    @Test
    void badParametersAreSpecErrors() {
        RegistryHttp.assertError(http.get("/api/v1/artifacts?n=-1"), 400, "UNSUPPORTED");
        assertThat(http.get("/api/v1/artifacts?n=99999999999999999999").statusCode()).as("cut to the maximum").isEqualTo(200);
        RegistryHttp.assertError(http.get("/api/v1/artifact?reference=v1"), 400, "NAME_INVALID");
        RegistryHttp.assertError(http.get("/api/v1/artifacts?repository=Not_Valid"), 400, "NAME_INVALID");
        RegistryHttp.assertError(http.get("/api/v1/artifact?repository=samples/helm/hello-world&reference=9.9"), 404, "MANIFEST_UNKNOWN");
        RegistryHttp.assertError(http.get("/api/v1/nothing-here"), 404, "UNSUPPORTED");
        assertThat(http.send("POST", "/api/v1/types", new byte[0]).statusCode()).isEqualTo(405);
    }

    static JsonNode find(JsonNode types, String id) {
        for (JsonNode type : types) {
            if (type.get("id").asText().equals(id)) {
                return type;
            }
        }
        throw new AssertionError("no type " + id);
    }

    static List<String> strings(JsonNode array) {
        return RegistryHttp.strings(array);
    }
}
