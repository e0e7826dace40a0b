package io.berth.server.api;

import static io.berth.server.api.RegistryHttp.OCI_EMPTY;
import static io.berth.server.api.RegistryHttp.OCI_INDEX;
import static io.berth.server.api.RegistryHttp.OCI_MANIFEST;
import static io.berth.server.api.RegistryHttp.body;
import static io.berth.server.api.RegistryHttp.header;
import static io.berth.server.api.RegistryHttp.json;
import static io.berth.server.api.RegistryHttp.nextLink;
import static io.berth.server.api.RegistryHttp.sha256;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.berth.server.api.RegistryHttp.Descriptor;
import io.berth.server.api.RegistryHttp.ImageManifest;
import io.berth.server.testing.RegistryFixture;
import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * end-12a, end-12b {@code GET /v2/<name>/referrers/<digest>[?artifactType=…]}: spec "Listing Referrers".
 * Berth only: Distribution 2.8 predates distribution-spec 1.1 and has no referrers API (it answers a plain 404).
 */
class ReferrersTest {
    private static final String SBOM = "application/vnd.example.sbom.v1";
    private static final String SIGNATURE = "application/vnd.example.signature.v1";
    private static final String SIGNATURE_CONFIG = "application/vnd.example.signature.config.v1+json";

    @TempDir
    static Path dataDir;
    static RegistryFixture registry;
    static RegistryHttp http;

    @BeforeAll
    static void start() {
        registry = RegistryFixture.start(dataDir);
        assumeTrue(registry.isBerth(), "Distribution 2.8 has no referrers API (distribution-spec 1.1 feature)");
        http = new RegistryHttp(registry.baseUri());
    }

    @AfterAll
    static void stop() {
        if (registry != null) {
            registry.close();
        }
    }

    private static HttpResponse<byte[]> referrers(String repo, String digest, String query) {
        return http.get("/v2/" + repo + "/referrers/" + digest + query);
    }

    /** An artifact manifest (empty config, one payload layer) with {@code subject}, pushed by digest. */
    private static Descriptor pushArtifact(String repo, Descriptor subject, String artifactType, Map<String, String> annotations) {
        Descriptor config = http.pushBlob(repo, OCI_EMPTY, RegistryHttp.EMPTY_JSON);
        Descriptor payload = http.pushBlob(repo, "application/vnd.example.payload", RegistryHttp.randomBytes(32));
        ImageManifest manifest = ImageManifest.of(config).layer(payload).subject(subject).artifactType(artifactType);
        annotations.forEach(manifest::annotation);
        byte[] bytes = manifest.json();
        return http.pushManifest(repo, sha256(bytes), OCI_MANIFEST, bytes);
    }

    /** The referrers index's {@code manifests}, keyed by digest; asserts the response is a 200 image index. */
    private static Map<String, JsonNode> descriptors(HttpResponse<byte[]> response) {
        assertThat(response.statusCode()).as(body(response)).isEqualTo(200);
        // "The Content-Type header MUST be set to application/vnd.oci.image.index.v1+json."
        assertThat(RegistryHttp.contentType(response)).isEqualTo(OCI_INDEX);
        // "the response MUST be a JSON body with an image index containing a list of descriptors"
        JsonNode index = json(response);
        assertThat(index.path("schemaVersion").asInt()).isEqualTo(2);
        assertThat(index.path("mediaType").asText()).isEqualTo(OCI_INDEX);
        assertThat(index.path("manifests").isArray()).as("manifests array in %s", body(response)).isTrue();
        Map<String, JsonNode> byDigest = new HashMap<>();
        index.path("manifests").forEach(descriptor -> byDigest.put(descriptor.path("digest").asText(), descriptor));
        assertThat(byDigest).as("no duplicates").hasSize(index.path("manifests").size());
        return byDigest;
    }

    private static void assertDescribes(JsonNode descriptor, Descriptor manifest) {
        assertThat(descriptor.path("mediaType").asText()).isEqualTo(manifest.mediaType());
        assertThat(descriptor.path("digest").asText()).isEqualTo(manifest.digest());
        assertThat(descriptor.path("size").asLong()).isEqualTo(manifest.size());
    }

    @Test
    void referrersAreListedAsAnImageIndexWithArtifactTypeAndAnnotations() {
        String repo = "referrers/basic";
        Descriptor subject = http.pushImage(repo, "v1");
        Descriptor sbom = pushArtifact(repo, subject, SBOM,
                Map.of("org.example.sbom.format", "json", "org.opencontainers.image.created", "2024-01-01T00:00:00Z"));

        Map<String, JsonNode> listed = descriptors(referrers(repo, subject.digest(), ""));

        assertThat(listed).containsOnlyKeys(sbom.digest());
        JsonNode descriptor = listed.get(sbom.digest());
        assertDescribes(descriptor, sbom);
        // "The descriptors MUST include an artifactType field that is set to the value of the artifactType in the
        // image manifest or index, if present." "The descriptors MUST include annotations from the image manifest"
        assertThat(descriptor.path("artifactType").asText()).isEqualTo(SBOM);
        assertThat(descriptor.path("annotations").path("org.example.sbom.format").asText()).isEqualTo("json");
        assertThat(descriptor.path("annotations").path("org.opencontainers.image.created").asText())
                .isEqualTo("2024-01-01T00:00:00Z");
    }

    @Test
    void manifestWithoutArtifactTypeIsListedWithItsConfigMediaType() {
        // "If the artifactType is empty or missing in the image manifest, the value of artifactType MUST be set to
        // the config descriptor mediaType value."
        String repo = "referrers/configtype";
        Descriptor subject = http.pushImage(repo, "v1");
        Descriptor config = http.pushBlob(repo, SIGNATURE_CONFIG, RegistryHttp.utf8("{\"signer\":\"me\"}"));
        Descriptor layer = http.pushBlob(repo, "application/vnd.example.sig", RegistryHttp.randomBytes(16));
        byte[] bytes = ImageManifest.of(config).layer(layer).subject(subject).json();
        Descriptor signature = http.pushManifest(repo, sha256(bytes), OCI_MANIFEST, bytes);

        JsonNode descriptor = descriptors(referrers(repo, subject.digest(), "")).get(signature.digest());

        assertThat(descriptor).isNotNull();
        assertThat(descriptor.path("artifactType").asText()).isEqualTo(SIGNATURE_CONFIG);
    }

    @Test
    void indexReferrerIsListedWithItsArtifactTypeOrWithoutOne() {
        // "If the artifactType is empty or missing in an index, the artifactType MUST be omitted."
        String repo = "referrers/indexes";
        Descriptor subject = http.pushImage(repo, "v1");
        Descriptor child = http.pushImage(repo, "child");
        byte[] plain = RegistryHttp.imageIndex(List.of(child), subject, null, Map.of("org.example.kind", "plain"));
        byte[] typed = RegistryHttp.imageIndex(List.of(child), subject, "application/vnd.example.bundle.v1", Map.of());
        Descriptor plainIndex = http.pushManifest(repo, sha256(plain), OCI_INDEX, plain);
        Descriptor typedIndex = http.pushManifest(repo, sha256(typed), OCI_INDEX, typed);

        Map<String, JsonNode> listed = descriptors(referrers(repo, subject.digest(), ""));

        assertThat(listed).containsOnlyKeys(plainIndex.digest(), typedIndex.digest());
        assertDescribes(listed.get(plainIndex.digest()), plainIndex);
        assertThat(listed.get(plainIndex.digest()).has("artifactType")).isFalse();
        assertThat(listed.get(plainIndex.digest()).path("annotations").path("org.example.kind").asText()).isEqualTo("plain");
        assertThat(listed.get(typedIndex.digest()).path("artifactType").asText()).isEqualTo("application/vnd.example.bundle.v1");
    }

    @Test
    void filterByArtifactTypeListsOnlyMatchingReferrersAndSaysSo() {
        String repo = "referrers/filter";
        Descriptor subject = http.pushImage(repo, "v1");
        Descriptor sbom = pushArtifact(repo, subject, SBOM, Map.of());
        pushArtifact(repo, subject, SIGNATURE, Map.of());

        HttpResponse<byte[]> response = referrers(repo, subject.digest(),
                "?artifactType=" + URLEncoder.encode(SBOM, StandardCharsets.UTF_8));

        assertThat(descriptors(response)).containsOnlyKeys(sbom.digest());
        // "If filtering is requested and applied, the response MUST include a header OCI-Filters-Applied: artifactType"
        assertThat(header(response, "OCI-Filters-Applied")).contains("artifactType");
    }

    @Test
    void filterMatchingNothingGivesAnEmptyIndex() {
        String repo = "referrers/filter-none";
        Descriptor subject = http.pushImage(repo, "v1");
        pushArtifact(repo, subject, SBOM, Map.of());

        HttpResponse<byte[]> response = referrers(repo, subject.digest(), "?artifactType=application/vnd.example.none");

        assertThat(descriptors(response)).isEmpty();
        assertThat(header(response, "OCI-Filters-Applied")).contains("artifactType");
    }

    @Test
    void unfilteredResponseDoesNotClaimAFilter() {
        String repo = "referrers/unfiltered";
        Descriptor subject = http.pushImage(repo, "v1");

        assertThat(header(referrers(repo, subject.digest(), ""), "OCI-Filters-Applied")).isEmpty();
    }

    @Test
    void manifestWithoutReferrersHasAnEmptyIndexNot404() {
        // "If the registry supports the referrers API, the registry MUST NOT return a 404 Not Found to a referrers
        // API requests." "If a query results in no matching referrers, an empty manifest list MUST be returned."
        String repo = "referrers/none";
        Descriptor subject = http.pushImage(repo, "v1");

        assertThat(descriptors(referrers(repo, subject.digest(), ""))).isEmpty();
    }

    @Test
    void digestUnknownToTheRepositoryHasAnEmptyIndexNot404() {
        String repo = "referrers/unknown-subject";
        http.pushImage(repo, "v1");

        assertThat(descriptors(referrers(repo, RegistryHttp.unknownDigest(), ""))).isEmpty();
    }

    @Test
    void referrerPushedBeforeItsSubjectIsListed() {
        // "allowing clients to push a manifest and referrers to that manifest in either order"
        String repo = "referrers/either-order";
        ImageManifest image = http.imageWithBlobs(repo);
        byte[] subjectBytes = image.json();
        Descriptor subject = new Descriptor(OCI_MANIFEST, sha256(subjectBytes), subjectBytes.length);
        Descriptor early = pushArtifact(repo, subject, SBOM, Map.of());

        http.pushManifest(repo, "v1", OCI_MANIFEST, subjectBytes);

        assertThat(descriptors(referrers(repo, subject.digest(), ""))).containsOnlyKeys(early.digest());
    }

    @Test
    void deletedReferrerIsNoLongerListed() {
        String repo = "referrers/deleted";
        Descriptor subject = http.pushImage(repo, "v1");
        Descriptor kept = pushArtifact(repo, subject, SBOM, Map.of());
        Descriptor gone = pushArtifact(repo, subject, SIGNATURE, Map.of());

        assertThat(http.delete("/v2/" + repo + "/manifests/" + gone.digest()).statusCode()).isEqualTo(202);

        assertThat(descriptors(referrers(repo, subject.digest(), ""))).containsOnlyKeys(kept.digest());
    }

    @Test
    void referrersInAnotherRepositoryAreNotListed() {
        // "Each descriptor is of an image manifest or index in the same <name> namespace"
        String repo = "referrers/here";
        Descriptor subject = http.pushImage(repo, "v1");
        pushArtifact("referrers/elsewhere", subject, SBOM, Map.of());

        assertThat(descriptors(referrers(repo, subject.digest(), ""))).isEmpty();
    }

    @Test
    void malformedDigestAnswers400() {
        // "If the request is invalid, such as a <digest> with an invalid syntax, a 400 Bad Request MUST be returned."
        http.pushImage("referrers/bad", "v1");

        HttpResponse<byte[]> response = referrers("referrers/bad", "sha256:nothex", "");

        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(RegistryHttp.errorCode(response)).isEqualTo("DIGEST_INVALID");
    }

    @Test
    void manyReferrersArePagedWithLinkHeaders() {
        // "A Link header MUST be included in the response when the descriptor list cannot be returned in a single
        // manifest." Berth pages on request with n, as the tags list does.
        String repo = "referrers/paged";
        Descriptor subject = http.pushImage(repo, "v1");
        List<String> pushed = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            pushed.add(pushArtifact(repo, subject, SBOM, Map.of("org.example.i", String.valueOf(i))).digest());
        }

        List<String> seen = new ArrayList<>();
        String next = "/v2/" + repo + "/referrers/" + subject.digest() + "?n=2";
        for (int page = 0; next != null; page++) {
            assertThat(page).as("pages").isLessThan(10);
            HttpResponse<byte[]> response = http.get(next);
            Map<String, JsonNode> listed = descriptors(response);
            assertThat(listed.size()).isLessThanOrEqualTo(2);
            if (page == 0) {
                assertThat(nextLink(response)).as("Link on the first of several pages").isPresent();
            }
            seen.addAll(listed.keySet());
            next = nextLink(response).map(link -> response.uri().resolve(link).toString()).orElse(null);
        }

        assertThat(seen).containsExactlyInAnyOrderElementsOf(pushed);
    }

    @Test
    void aPageHoldsAtMost250ReferrersWhateverNSays() {
        // The page size is the registry's to choose; the Link leads to the rest.
        String repo = "referrers/thousands";
        Descriptor subject = http.pushImage(repo, "v1");
        Descriptor config = http.pushBlob(repo, OCI_EMPTY, RegistryHttp.EMPTY_JSON);
        Set<String> pushed = new HashSet<>();
        for (int i = 0; i < 251; i++) {
            byte[] bytes = ImageManifest.of(config).layer(config).subject(subject).artifactType(SBOM)
                    .annotation("org.example.i", String.valueOf(i)).json();
            pushed.add(http.pushManifest(repo, sha256(bytes), OCI_MANIFEST, bytes).digest());
        }

        HttpResponse<byte[]> first = referrers(repo, subject.digest(), "?n=5000");
        Map<String, JsonNode> firstPage = descriptors(first);
        assertThat(firstPage).hasSize(250);
        String next = nextLink(first).map(link -> first.uri().resolve(link).toString()).orElseThrow();
        HttpResponse<byte[]> second = http.get(next);
        Map<String, JsonNode> secondPage = descriptors(second);

        assertThat(secondPage).hasSize(1);
        assertThat(nextLink(second)).isEmpty();
        Set<String> seen = new HashSet<>(firstPage.keySet());
        seen.addAll(secondPage.keySet());
        assertThat(seen).isEqualTo(pushed);
    }

    @Test
    void pagedFilteredListKeepsTheFilterOnEveryPage() {
        String repo = "referrers/paged-filter";
        Descriptor subject = http.pushImage(repo, "v1");
        List<String> sboms = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            sboms.add(pushArtifact(repo, subject, SBOM, Map.of("org.example.i", String.valueOf(i))).digest());
            pushArtifact(repo, subject, SIGNATURE, Map.of("org.example.i", String.valueOf(i)));
        }

        List<String> seen = new ArrayList<>();
        String next = "/v2/" + repo + "/referrers/" + subject.digest() + "?n=1&artifactType="
                + URLEncoder.encode(SBOM, StandardCharsets.UTF_8);
        for (int page = 0; next != null; page++) {
            assertThat(page).as("pages").isLessThan(10);
            HttpResponse<byte[]> response = http.get(next);
            Map<String, JsonNode> listed = descriptors(response);
            listed.values().forEach(d -> assertThat(d.path("artifactType").asText()).isEqualTo(SBOM));
            assertThat(header(response, "OCI-Filters-Applied")).contains("artifactType");
            seen.addAll(listed.keySet());
            next = nextLink(response).map(link -> response.uri().resolve(link).toString()).orElse(null);
        }

        assertThat(seen).containsExactlyInAnyOrderElementsOf(sboms);
    }
}
