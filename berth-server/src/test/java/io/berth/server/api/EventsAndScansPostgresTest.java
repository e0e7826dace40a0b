package io.berth.server.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.berth.server.event.EndpointConfig;
import io.berth.server.event.EventsConfig;
import io.berth.server.scan.ScannerConfig;
import io.berth.server.testing.BerthFixture;
import io.berth.server.testing.ScannerAdapterStub;
import io.berth.server.testing.TestDatabases;
import io.berth.server.testing.WebhookReceiver;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Events and scans with the metadata in PostgreSQL ({@code BERTH_TEST_POSTGRES_URL}; skipped without it, failing
 * under {@code CI=true}): the outbox and the scan queue written inside PostgreSQL transactions, end to end.
 */
class EventsAndScansPostgresTest {
    @TempDir
    Path dataDir;

    @Test
    void theSeedListingsEventsAndScansWorkOnPostgresql() {
        try (TestDatabases.PostgresSchema schema = TestDatabases.postgresSchema();
             WebhookReceiver receiver = WebhookReceiver.start();
             ScannerAdapterStub adapter = ScannerAdapterStub.start();
             BerthFixture registry = BerthFixture.start(dataDir, config -> config.withDatabase(schema.config())
                     .withEvents(EventsConfig.NONE.withEndpoint(EndpointConfig.webhook(receiver.url())))
                     .withScanners(List.of(ScannerConfig.of("stub", adapter.url(), List.of("oci-image")))))) {
            RegistryHttp http = new RegistryHttp(registry.baseUri());
            SeedListing.push(http);

            List<WebhookReceiver.Delivery> pushes = receiver.await(d -> true, 10, Duration.ofSeconds(30));
            assertThat(pushes).extracting(d -> d.event().at("/target/type/id").asText()).containsExactly(
                    "oci-image", "oci-image", "oci-image-index", "helm-chart", "cnab-bundle", "arm-template", "ecs-task",
                    "image-docs", "cosign-signature", "spdx-sbom");
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            JsonNode scan;
            do {
                WebhookReceiver.sleep(100);
                scan = RegistryHttp.json(http.get("/api/v1/artifacts?repository=" + SeedListing.IMAGE))
                        .at("/artifacts/0/scan");
            } while (!scan.get("status").asText().equals("done") && System.nanoTime() < deadline);
            assertThat(scan.get("status").asText()).isEqualTo("done");
            assertThat(scan.at("/summary/critical").asLong()).isEqualTo(2);
            assertThat(RegistryHttp.json(http.get("/api/v1/artifacts?repository=" + SeedListing.HELM))
                    .at("/artifacts/0/scan/status").asText()).isEqualTo("not-scannable");
        }
    }
}
