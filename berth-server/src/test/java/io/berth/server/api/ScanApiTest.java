package io.berth.server.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.berth.server.scan.ScannerConfig;
import io.berth.server.testing.BerthFixture;
import io.berth.server.testing.ScannerAdapterStub;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Scanners that know the artifact type (issue #8): a scanner adapter that declares only OCI image manifests is
 * configured for {@code oci-image}, {@code oci-image-index} and {@code helm-chart}; the seed listing is pushed. The
 * platform images are scanned and the multi-platform image shows their summed report; the Helm chart and the SBOM are
 * never sent and are listed as not scannable.
 */
class ScanApiTest {
    static final Duration WAIT = Duration.ofSeconds(30);
    static final String BASIC = "Basic c2Nhbm5lcjpzM2NyZXQ=";

    @TempDir
    static Path dataDir;
    static ScannerAdapterStub adapter;
    static BerthFixture registry;
    static RegistryHttp http;
    static SeedListing seed;

    @BeforeAll
    static void start() {
        adapter = ScannerAdapterStub.start();
        ScannerConfig stub = new ScannerConfig("stub", adapter.url(), List.of("oci-image", "oci-image-index", "helm-chart"),
                Optional.of(BASIC), Optional.empty(), Optional.empty());
        registry = BerthFixture.start(dataDir, config -> config.withScanners(List.of(stub)));
        http = new RegistryHttp(registry.baseUri());
        seed = SeedListing.push(http);
    }

    @AfterAll
    static void stop() {
        registry.close();
        adapter.close();
    }

    static JsonNode get(String target) {
        HttpResponse<byte[]> response = http.get(target);
        assertThat(response.statusCode()).as(RegistryHttp.body(response)).isEqualTo(200);
        return RegistryHttp.json(response);
    }

    static JsonNode listed(String repository) {
        JsonNode artifacts = get("/api/v1/artifacts?repository=" + repository).get("artifacts");
        assertThat(artifacts).hasSize(1);
        return artifacts.get(0);
    }

    static JsonNode awaitScan(String target, Predicate<JsonNode> condition) {
        long deadline = System.nanoTime() + WAIT.toNanos();
        JsonNode scan = get(target).get("scan");
        while (!condition.test(scan) && System.nanoTime() < deadline) {
            sleep(100);
            scan = get(target).get("scan");
        }
        assertThat(condition).as("scan of %s: %s", target, scan).accepts(scan);
        return scan;
    }

    static boolean done(JsonNode scan) {
        return scan.get("status").asText().equals("done");
    }

    static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    static List<String> childDigests() {
        JsonNode index = get("/api/v1/artifact?repository=" + SeedListing.IMAGE + "&reference=1.0");
        List<String> digests = new ArrayList<>();
        index.get("children").forEach(child -> digests.add(child.get("digest").asText()));
        return digests;
    }

    @Test
    void theImageIsScannedThroughItsPlatformImagesAndItsReportIsListed() {
        String artifact = "/api/v1/artifact?repository=" + SeedListing.IMAGE + "&reference=1.0";
        JsonNode scan = awaitScan(artifact, ScanApiTest::done);

        assertThat(scan.get("scanner").asText()).isEqualTo("stub");
        assertThat(scan.get("updatedAt").isTextual()).isTrue();
        JsonNode summary = scan.get("summary");
        assertThat(summary.get("critical").asLong()).as("two platforms, one critical each").isEqualTo(2);
        assertThat(summary.get("high").asLong()).isEqualTo(4);
        assertThat(summary.get("medium").asLong()).isZero();
        assertThat(summary.get("low").asLong()).as("low and negligible").isEqualTo(4);
        assertThat(summary.get("unknown").asLong()).isEqualTo(2);
        assertThat(listed(SeedListing.IMAGE).get("scan")).isEqualTo(scan);

        List<String> children = childDigests();
        assertThat(children).hasSize(2);
        for (String child : children) {
            JsonNode detail = get("/api/v1/artifact/scan?repository=" + SeedListing.IMAGE + "&reference=" + child);
            assertThat(detail.at("/scan/status").asText()).isEqualTo("done");
            assertThat(detail.at("/scan/summary/critical").asLong()).isEqualTo(1);
            assertThat(detail.get("scans")).singleElement().satisfies(s -> {
                assertThat(s.get("scanner").asText()).isEqualTo("stub");
                assertThat(s.get("reportMediaType").asText()).isEqualTo(ScannerAdapterStub.REPORT_TYPE);
                assertThat(s.at("/report/vulnerabilities")).hasSize(ScannerAdapterStub.VULNERABILITIES.size());
                assertThat(s.at("/report/artifact/digest").asText()).isEqualTo(child);
            });
        }
    }

    @Test
    void scanRequestsFollowTheAdapterApiAndLetTheAdapterPull() {
        awaitScan("/api/v1/artifact?repository=" + SeedListing.IMAGE + "&reference=1.0", ScanApiTest::done);
        List<ScannerAdapterStub.Received> requests = adapter.received().stream()
                .filter(r -> r.repository().equals(SeedListing.IMAGE)).toList();

        assertThat(requests.stream().map(ScannerAdapterStub.Received::digest).distinct())
                .as("the platform images, each once per scan (a test may have asked for another)")
                .containsExactlyInAnyOrderElementsOf(childDigests());
        assertThat(requests).allSatisfy(r -> {
            assertThat(r.request().at("/registry/url").asText()).isEqualTo("http://" + registry.hostPort());
            assertThat(r.request().at("/registry/authorization").asText()).isEqualTo(BASIC);
            assertThat(r.request().at("/artifact/mime_type").asText()).isEqualTo(ScannerAdapterStub.OCI_MANIFEST);
            assertThat(r.pullStatus()).as("the adapter pulled the manifest from Berth").isEqualTo(200);
        });
        assertThat(adapter.polls().values()).as("302 + Refresh-After first, then the report").allSatisfy(
                polls -> assertThat(polls).isGreaterThanOrEqualTo(2));
    }

    @Test
    void aHelmChartAndAnSbomAreNeverSentAndListedAsNotScannable() {
        awaitScan("/api/v1/artifact?repository=" + SeedListing.IMAGE + "&reference=1.0", ScanApiTest::done);

        for (String repository : List.of(SeedListing.HELM, SeedListing.CNAB, SeedListing.ARM, SeedListing.ECS)) {
            JsonNode scan = listed(repository).get("scan");
            assertThat(scan.get("status").asText()).as(repository).isEqualTo("not-scannable");
            assertThat(scan.size()).as("nothing but the status").isEqualTo(1);
        }
        JsonNode image = get("/api/v1/artifact?repository=" + SeedListing.IMAGE + "&reference=1.0");
        assertThat(image.get("referrerTree")).hasSize(3).allSatisfy(referrer ->
                assertThat(referrer.at("/scan/status").asText()).as(referrer.at("/type/id").asText()).isEqualTo("not-scannable"));
        JsonNode sbom = null;
        for (JsonNode referrer : image.get("referrerTree")) {
            if (referrer.at("/type/id").asText().equals("spdx-sbom")) {
                sbom = referrer;
            }
        }
        assertThat(sbom).isNotNull();
        assertThat(get("/api/v1/artifact?repository=" + SeedListing.IMAGE + "&reference=" + sbom.get("digest").asText())
                .at("/scan/status").asText()).isEqualTo("not-scannable");
        assertThat(adapter.received()).extracting(ScannerAdapterStub.Received::repository)
                .doesNotContain(SeedListing.HELM, SeedListing.CNAB, SeedListing.ARM, SeedListing.ECS);
        assertThat(adapter.received()).extracting(ScannerAdapterStub.Received::digest)
                .doesNotContain(sbom.get("digest").asText());
    }

    @Test
    void theScannersListWarnsAboutConfiguredTypesTheAdapterDoesNotBack() {
        long deadline = System.nanoTime() + WAIT.toNanos();
        JsonNode stub = get("/api/v1/scanners").get("scanners").get(0);
        while (stub.get("adapter").isNull() && System.nanoTime() < deadline) {
            sleep(100);
            stub = get("/api/v1/scanners").get("scanners").get(0);
        }

        assertThat(stub.get("name").asText()).isEqualTo("stub");
        assertThat(stub.get("url").asText()).isEqualTo(adapter.url().toString());
        assertThat(stub.at("/adapter/name").asText()).isEqualTo("Stub");
        assertThat(stub.at("/adapter/version").asText()).isEqualTo("1.2.0");
        assertThat(RegistryHttp.strings(stub.get("types"))).containsExactly("oci-image", "oci-image-index", "helm-chart");
        assertThat(RegistryHttp.strings(stub.get("acceptedTypes"))).containsExactly("oci-image");
        assertThat(RegistryHttp.strings(stub.get("warnings"))).hasSize(2)
                .anySatisfy(w -> assertThat(w).contains("oci-image-index", "application/vnd.oci.image.index.v1+json"))
                .anySatisfy(w -> assertThat(w).contains("helm-chart", "application/vnd.cncf.helm.config.v1+json"));
        assertThat(stub.at("/capabilities/0/consumes/0").asText()).isEqualTo(ScannerAdapterStub.OCI_MANIFEST);
    }

    @Test
    void aScanOnDemandScansAgainAndANotScannableArtifactSaysSo() {
        String artifact = "/api/v1/artifact?repository=" + SeedListing.IMAGE + "&reference=1.0";
        awaitScan(artifact, ScanApiTest::done);
        int before = adapter.received().size();

        HttpResponse<byte[]> again = http.post("/api/v1/artifact/scan?repository=" + SeedListing.IMAGE + "&reference=1.0");
        assertThat(again.statusCode()).as(RegistryHttp.body(again)).isEqualTo(202);
        assertThat(RegistryHttp.json(again).at("/scan/status").asText()).isEqualTo("pending");
        awaitScan(artifact, ScanApiTest::done);
        assertThat(adapter.received()).hasSize(before + 2);

        HttpResponse<byte[]> helm = http.post("/api/v1/artifact/scan?repository=" + SeedListing.HELM + "&reference=1.0");
        assertThat(helm.statusCode()).isEqualTo(200);
        assertThat(RegistryHttp.json(helm).at("/scan/status").asText()).isEqualTo("not-scannable");
        assertThat(adapter.received()).hasSize(before + 2);
        RegistryHttp.assertError(http.post("/api/v1/artifact/scan?repository=nothing/here&reference=1.0"), 404,
                "MANIFEST_UNKNOWN");
        RegistryHttp.assertError(http.delete("/api/v1/artifact/scan?repository=a&reference=1.0"), 405, "UNSUPPORTED");
    }

    @Test
    void aScanTheAdapterFailsIsListedAsFailedWithItsError() {
        http.pushImage("scans/broken", "1.0");

        JsonNode scan = awaitScan("/api/v1/artifact?repository=scans/broken&reference=1.0",
                s -> s.get("status").asText().equals("failed"));
        assertThat(scan.get("error").asText()).contains("HTTP 500", "the scanner crashed");
        assertThat(scan.get("scanner").asText()).isEqualTo("stub");
        assertThat(scan.has("summary")).as("never clean").isFalse();
    }

    @Test
    void anImagePushedBeforeTheScannerWasConfiguredIsUnscannedUntilScannedOnDemand(@TempDir Path otherData) {
        try (BerthFixture withoutScanner = BerthFixture.start(otherData)) {
            new RegistryHttp(withoutScanner.baseUri()).pushImage("old/app", "1.0");
        }
        URI url = adapter.url();
        try (BerthFixture withScanner = BerthFixture.start(otherData,
                config -> config.withScanners(List.of(ScannerConfig.of("stub", url, List.of("oci-image")))))) {
            RegistryHttp other = new RegistryHttp(withScanner.baseUri());
            JsonNode listed = RegistryHttp.json(other.get("/api/v1/artifacts?repository=old/app")).get("artifacts").get(0);
            assertThat(listed.at("/scan/status").asText()).isEqualTo("unscanned");

            assertThat(other.post("/api/v1/artifact/scan?repository=old/app&reference=1.0").statusCode()).isEqualTo(202);
            long deadline = System.nanoTime() + WAIT.toNanos();
            JsonNode scan;
            do {
                sleep(100);
                scan = RegistryHttp.json(other.get("/api/v1/artifact?repository=old/app&reference=1.0")).get("scan");
            } while (!done(scan) && System.nanoTime() < deadline);
            assertThat(scan.get("status").asText()).isEqualTo("done");
            assertThat(scan.at("/summary/high").asLong()).isEqualTo(2);
        }
    }
}
