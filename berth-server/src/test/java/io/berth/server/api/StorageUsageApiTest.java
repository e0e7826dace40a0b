package io.berth.server.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.berth.server.api.RegistryHttp.Descriptor;
import io.berth.server.api.RegistryHttp.ImageManifest;
import io.berth.server.testing.BerthFixture;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code GET /api/v1/admin/storage} over two repositories that share a layer (mounted from one into the other): the
 * shared layer counts once in the total and fully in each repository and in each type that references it; artifacts
 * are counted per manifest, not per tag.
 */
class StorageUsageApiTest {
    static final String WEB = "usage/web";
    static final String WORKER = "usage/worker";
    static final String HELM_CONFIG = "application/vnd.cncf.helm.config.v1+json";
    static final String HELM_CHART = "application/vnd.cncf.helm.chart.content.v1.tar+gzip";

    @TempDir
    Path dataDir;

    @Test
    void aSharedLayerCountsOnceInTheTotalAndFullyInEachRepositoryThatLinksIt() {
        try (BerthFixture registry = BerthFixture.start(dataDir)) {
            RegistryHttp http = new RegistryHttp(registry.baseUri());
            Descriptor shared = http.pushBlob(WEB, RegistryHttp.randomBytes(40_000));
            Descriptor webConfig = config(http, WEB, "web");
            Descriptor webLayer = http.pushBlob(WEB, RegistryHttp.randomBytes(3_000));
            http.pushManifest(WEB, "v1", RegistryHttp.OCI_MANIFEST, ImageManifest.of(webConfig).layer(shared).layer(webLayer).json());

            HttpResponse<byte[]> mount = http.post("/v2/" + WORKER + "/blobs/uploads/?mount=" + shared.digest() + "&from=" + WEB);
            assertThat(mount.statusCode()).as(RegistryHttp.body(mount)).isEqualTo(201);
            Descriptor workerConfig = config(http, WORKER, "worker");
            byte[] worker = ImageManifest.of(workerConfig).layer(shared).json();
            http.pushManifest(WORKER, "v1", RegistryHttp.OCI_MANIFEST, worker);
            http.pushManifest(WORKER, "latest", RegistryHttp.OCI_MANIFEST, worker);
            Descriptor chartConfig = http.pushBlob(WORKER, HELM_CONFIG, "{\"name\":\"worker\",\"version\":\"1.0\"}"
                    .getBytes(StandardCharsets.UTF_8));
            Descriptor chart = http.pushBlob(WORKER, HELM_CHART, RegistryHttp.randomBytes(700));
            http.pushManifest(WORKER, "chart-1.0", RegistryHttp.OCI_MANIFEST, ImageManifest.of(chartConfig).layer(chart).json());

            HttpResponse<byte[]> response = http.get("/api/v1/admin/storage");
            assertThat(response.statusCode()).as(RegistryHttp.body(response)).isEqualTo(200);
            assertThat(RegistryHttp.contentType(response)).isEqualTo("application/json");
            assertThat(RegistryHttp.header(response, "Cache-Control")).contains("no-store");
            JsonNode usage = RegistryHttp.json(response);

            long web = webConfig.size() + shared.size() + webLayer.size();
            long workerImage = workerConfig.size() + shared.size();
            long workerChart = chartConfig.size() + chart.size();
            assertThat(usage.at("/total/blobs").asLong()).isEqualTo(6);
            assertThat(usage.at("/total/bytes").asLong()).as("the shared layer once")
                    .isEqualTo(web + workerConfig.size() + workerChart);
            Map<String, JsonNode> repositories = new LinkedHashMap<>();
            usage.get("repositories").forEach(r -> repositories.put(r.get("repository").asText(), r));
            assertThat(repositories).containsOnlyKeys(WEB, WORKER);
            assertThat(repositories.get(WEB).get("artifacts").asLong()).isEqualTo(1);
            assertThat(repositories.get(WEB).get("bytes").asLong()).isEqualTo(web);
            assertThat(repositories.get(WORKER).get("artifacts").asLong()).as("two tags, one manifest; and the chart")
                    .isEqualTo(2);
            assertThat(repositories.get(WORKER).get("bytes").asLong()).as("the shared layer in full")
                    .isEqualTo(workerImage + workerChart);
            assertThat(repositories.get(WORKER).get("unreferencedBytes").asLong()).isZero();
            assertThat(byType(repositories.get(WEB))).containsExactly(Map.entry("oci-image", "1 " + web));
            assertThat(byType(repositories.get(WORKER))).containsExactly(
                    Map.entry("oci-image", "1 " + workerImage), Map.entry("helm-chart", "1 " + workerChart));
            assertThat(repositories.get(WEB).get("bytes").asLong() + repositories.get(WORKER).get("bytes").asLong())
                    .as("the repositories add up to the total plus the second count of the shared layer")
                    .isEqualTo(usage.at("/total/bytes").asLong() + shared.size());
            assertThat(usage.at("/uploads/open").asLong()).isZero();
            assertThat(usage.at("/uploads/expireAfterSeconds").asLong()).isEqualTo(86_400);

            // a blob pushed without its manifest yet counts in its repository as unreferenced, and in the total
            Descriptor pending = http.pushBlob(WEB, RegistryHttp.randomBytes(123));
            JsonNode after = RegistryHttp.json(http.get("/api/v1/admin/storage"));
            assertThat(after.at("/total/bytes").asLong()).isEqualTo(usage.at("/total/bytes").asLong() + pending.size());
            assertThat(after.at("/repositories/0/repository").asText()).isEqualTo(WEB);
            assertThat(after.at("/repositories/0/unreferencedBytes").asLong()).isEqualTo(pending.size());
            assertThat(after.at("/repositories/0/bytes").asLong()).isEqualTo(web + pending.size());
        }
    }

    private static Descriptor config(RegistryHttp http, String repository, String id) {
        return http.pushBlob(repository, RegistryHttp.OCI_CONFIG, ("{\"architecture\":\"amd64\",\"os\":\"linux\",\"id\":\""
                + id + "\",\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[]}}").getBytes(StandardCharsets.UTF_8));
    }

    /** Each type as "artifacts bytes", in the API's order. */
    private static Map<String, String> byType(JsonNode repository) {
        Map<String, String> types = new LinkedHashMap<>();
        repository.get("byType").forEach(t -> types.put(t.get("type").asText(),
                t.get("artifacts").asLong() + " " + t.get("bytes").asLong()));
        return types;
    }
}
