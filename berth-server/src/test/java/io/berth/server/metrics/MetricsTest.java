package io.berth.server.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.berth.oci.Digest;
import io.berth.server.event.EndpointConfig;
import io.berth.server.scan.ScannerConfig;
import io.berth.server.testing.BerthFixture;
import io.berth.server.testing.ScannerAdapterStub;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code GET /metrics} of a real server on a free port, scraped after real requests: requests by route template,
 * method and status with latency buckets, bytes in and out, upload sessions, storage errors, the database pool, the
 * outbox, the scan queue, the JVM and the process; and the Grafana dashboard asks only for series that exist.
 */
class MetricsTest {
    private static final String REQUESTS = "berth_http_server_requests_seconds_count";
    private static final String BUCKETS = "berth_http_server_requests_seconds_bucket";
    private static final String UPLOAD = "/v2/{name}/blobs/uploads/{uuid}";
    private static final String BLOB = "/v2/{name}/blobs/{digest}";

    @TempDir
    Path dir;

    @Test
    void requestsAreCountedByRouteTemplateMethodAndStatusWithLatencyBuckets() {
        try (BerthFixture registry = BerthFixture.start(dir.resolve("data"))) {
            MetricsHttp http = new MetricsHttp(registry.baseUri());
            byte[] layer = random(70_000);
            http.pushImage("team/app", "v1", layer);
            String layerDigest = Digest.sha256(layer).toString();
            assertThat(http.send("GET", "/v2/team/app/blobs/" + layerDigest, null).statusCode()).isEqualTo(200);
            assertThat(http.send("GET", "/v2/other/app/blobs/" + layerDigest, null).statusCode()).isEqualTo(404);
            assertThat(http.send("GET", "/no/such/path", null).statusCode()).isEqualTo(404);
            assertThat(http.send("DELETE", "/healthz", null).statusCode()).isEqualTo(405);

            Scraped scraped = http.scrape();

            assertThat(scraped.value(REQUESTS, "route", UPLOAD, "method", "PATCH", "status", "202")).isEqualTo(2);
            assertThat(scraped.value(REQUESTS, "route", UPLOAD, "method", "PUT", "status", "201")).isEqualTo(2);
            assertThat(scraped.value(REQUESTS, "route", "/v2/{name}/blobs/uploads/", "method", "POST", "status", "202"))
                    .isEqualTo(2);
            assertThat(scraped.value(REQUESTS, "route", "/v2/{name}/manifests/{reference}", "method", "PUT",
                    "status", "201")).isEqualTo(1);
            assertThat(scraped.value(REQUESTS, "route", BLOB, "method", "GET", "status", "200")).isEqualTo(1);
            assertThat(scraped.value(REQUESTS, "route", BLOB, "method", "GET", "status", "404")).isEqualTo(1);
            assertThat(scraped.value(REQUESTS, "route", "unmatched", "method", "GET", "status", "404")).isEqualTo(1);
            assertThat(scraped.value(REQUESTS, "route", "unmatched", "method", "DELETE", "status", "405")).isEqualTo(1);
            assertThat(scraped.series()).as("no raw path as a label")
                    .noneMatch(s -> s.labels().values().stream().anyMatch(v -> v.contains("team/app") || v.contains("sha256:")));

            // the histogram: cumulative buckets up to +Inf, which holds every request
            assertThat(scraped.has(BUCKETS, "route", BLOB, "method", "GET", "status", "200", "le", "0.005")).isTrue();
            assertThat(scraped.value(BUCKETS, "route", BLOB, "method", "GET", "status", "200", "le", "+Inf")).isEqualTo(1);
            assertThat(scraped.value("berth_http_server_requests_seconds_sum", "route", BLOB, "method", "GET"))
                    .isPositive();

            assertThat(scraped.value("berth_http_server_received_bytes_total", "route", UPLOAD, "method", "PATCH"))
                    .as("both PATCH bodies").isGreaterThanOrEqualTo(layer.length + 2);
            assertThat(scraped.value("berth_http_server_sent_bytes_total", "route", BLOB, "method", "GET"))
                    .as("the layer, and the 404's error body").isGreaterThan(layer.length);

            // the scrape itself is counted by the next one
            assertThat(http.scrape().value(REQUESTS, "route", "/metrics", "method", "GET", "status", "200")).isEqualTo(1);
        }
    }

    /** A client that leaves in the middle of its upload: counted (and logged) with status 499, as nginx does. */
    @Test
    void aRequestWhoseClientLeavesIsCountedAs499() throws Exception {
        try (BerthFixture registry = BerthFixture.start(dir.resolve("data"))) {
            MetricsHttp http = new MetricsHttp(registry.baseUri());
            try (java.net.Socket socket = new java.net.Socket("127.0.0.1", registry.port())) {
                socket.getOutputStream().write(("POST /v2/team/app/blobs/uploads/?digest=" + Digest.sha256(new byte[1])
                        + " HTTP/1.1\r\nHost: x\r\nContent-Type: application/octet-stream\r\nContent-Length: 100000\r\n\r\n"
                        + "x".repeat(1000)).getBytes(java.nio.charset.StandardCharsets.US_ASCII));
                Thread.sleep(300);
            }
            String route = "/v2/{name}/blobs/uploads/";
            Scraped scraped = awaitScrape(http, s -> s.value(REQUESTS, "route", route, "status", "499") == 1);
            assertThat(scraped.value(REQUESTS, "route", route, "method", "POST", "status", "499")).isEqualTo(1);
            assertThat(scraped.has(REQUESTS, "route", route, "status", "200")).as("no answer was sent").isFalse();
            assertThat(scraped.value("berth_http_server_received_bytes_total", "route", route)).isEqualTo(1000);
        }
    }

    @Test
    void uploadSessionsAreCountedAsTheyStartAndEnd() {
        try (BerthFixture registry = BerthFixture.start(dir.resolve("data"))) {
            MetricsHttp http = new MetricsHttp(registry.baseUri());
            http.pushBlob("team/app", random(100));
            HttpResponse<byte[]> open = http.send("POST", "/v2/team/app/blobs/uploads/", null);
            assertThat(open.statusCode()).isEqualTo(202);
            HttpResponse<byte[]> cancelled = http.send("POST", "/v2/team/app/blobs/uploads/", null);
            assertThat(http.send("DELETE", cancelled.headers().firstValue("Location").orElseThrow(), null).statusCode())
                    .isEqualTo(204);
            HttpResponse<byte[]> wrong = http.send("POST", "/v2/team/app/blobs/uploads/", null);
            String location = wrong.headers().firstValue("Location").orElseThrow();
            assertThat(http.send("PUT", location + (location.contains("?") ? "&" : "?") + "digest="
                    + Digest.sha256(new byte[] {1}), new byte[] {2}, "Content-Type", "application/octet-stream")
                    .statusCode()).isEqualTo(400);

            Scraped scraped = http.scrape();
            assertThat(scraped.value("berth_uploads_started_total")).isEqualTo(4);
            assertThat(scraped.value("berth_uploads_ended_total", "outcome", "completed")).isEqualTo(1);
            assertThat(scraped.value("berth_uploads_ended_total", "outcome", "cancelled")).isEqualTo(1);
            assertThat(scraped.value("berth_uploads_ended_total", "outcome", "failed")).isEqualTo(1);
            assertThat(scraped.value("berth_uploads_ended_total", "outcome", "expired")).isZero();
            assertThat(scraped.has("berth_uploads_ended_total", "outcome", "expired")).as("reported from the start").isTrue();
            assertThat(scraped.has("berth_uploads_orphan_files_removed_total")).isTrue();
            assertThat(scraped.has("berth_uploads_expired_bytes_total")).isTrue();
            assertThat(scraped.value("berth_uploads_open")).as("the one left open").isEqualTo(1);
            assertThat(scraped.value("berth_storage_errors_total")).as("a wrong digest is the client's error").isZero();
        }
    }

    /** A blob store that cannot write (its directory is a file now) counts an error of the operation that failed. */
    @Test
    void storageErrorsAreCountedByOperation() throws Exception {
        Path data = dir.resolve("data");
        try (BerthFixture registry = BerthFixture.start(data)) {
            MetricsHttp http = new MetricsHttp(registry.baseUri());
            Path blobs = data.resolve("blobs");
            if (Files.exists(blobs)) {
                try (var files = Files.walk(blobs)) {
                    files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
                }
            }
            Files.writeString(blobs, "not a directory");
            byte[] content = random(64);
            HttpResponse<byte[]> push = http.send("POST", "/v2/team/app/blobs/uploads/?digest="
                    + Digest.sha256(content), content, "Content-Type", "application/octet-stream");
            assertThat(push.statusCode()).as(MetricsHttp.text(push)).isEqualTo(500);

            Scraped scraped = http.scrape();
            assertThat(scraped.value("berth_storage_errors_total", "operation", "commit")).isEqualTo(1);
            assertThat(scraped.value("berth_storage_errors_total", "operation", "read")).isZero();
            assertThat(scraped.value(REQUESTS, "route", "/v2/{name}/blobs/uploads/", "status", "500")).isEqualTo(1);
        }
    }

    @Test
    void theDatabasePoolTheJvmAndTheProcessAreReported() {
        try (BerthFixture registry = BerthFixture.start(dir.resolve("data"))) {
            Scraped scraped = new MetricsHttp(registry.baseUri()).scrape();
            assertThat(scraped.has("hikaricp_connections_active", "pool", "berth-metadata")).isTrue();
            assertThat(scraped.value("hikaricp_connections_max", "pool", "berth-metadata")).isEqualTo(8);
            assertThat(scraped.has("hikaricp_connections_acquire_seconds_count", "pool", "berth-metadata")).isTrue();
            assertThat(scraped.value("jvm_memory_used_bytes", "area", "heap")).isPositive();
            assertThat(scraped.value("jvm_threads_live_threads")).isPositive();
            assertThat(scraped.value("jvm_classes_loaded_classes")).isPositive();
            assertThat(scraped.value("process_uptime_seconds")).isPositive();
            assertThat(scraped.value("process_files_open_files")).isPositive();
            assertThat(scraped.value("process_resident_memory_bytes")).isGreaterThan(10 << 20);
            assertThat(scraped.names()).contains("process_cpu_usage", "system_cpu_count", "jvm_gc_memory_allocated_bytes_total");
        }
    }

    /**
     * The outbox of an endpoint that refuses connections fills and its failed attempts count up; a scanner's scans
     * go through the queue to done. The same figures as {@code /api/v1/events/metrics}, from the same source.
     */
    @Test
    void theOutboxAndTheScanQueueAreReported() throws Exception {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }
        EndpointConfig refusing = EndpointConfig.webhook(URI.create("http://127.0.0.1:" + closedPort + "/hook"));
        try (ScannerAdapterStub adapter = ScannerAdapterStub.start();
             BerthFixture registry = BerthFixture.start(dir.resolve("data"), c -> c
                     .withEvents(c.events().withEndpoint(refusing))
                     .withScanners(List.of(ScannerConfig.of("stub", adapter.url(), List.of("oci-image")))))) {
            MetricsHttp http = new MetricsHttp(registry.baseUri());
            http.pushImage("team/app", "v1", random(100));

            Scraped scraped = awaitScrape(http, s -> s.value("berth_events_failed_attempts_total", "endpoint", "webhook") >= 1
                    && s.value("berth_scans", "status", "done") >= 1);
            assertThat(scraped.value("berth_events_pending", "endpoint", "webhook")).as("the push").isGreaterThanOrEqualTo(1);
            assertThat(scraped.value("berth_events_delivered_total", "endpoint", "webhook")).isZero();
            assertThat(scraped.has("berth_events_oldest_pending_seconds", "endpoint", "webhook")).isTrue();
            assertThat(scraped.has("berth_events_abandoned", "endpoint", "webhook")).isTrue();
            assertThat(scraped.value("berth_scans", "status", "queued") + scraped.value("berth_scans", "status", "running"))
                    .isZero();

            String events = MetricsHttp.text(http.send("GET", "/api/v1/events/metrics", null));
            Scraped same = Scraped.parse(events);
            assertThat(same.value("berth_events_pending", "endpoint", "webhook"))
                    .isEqualTo(http.scrape().value("berth_events_pending", "endpoint", "webhook"));
        }
    }

    /**
     * Every series the Grafana dashboard queries is one {@code /metrics} exposes, after the requests a registry sees
     * (so the dashboard cannot rot when a metric is renamed), and the dashboard has the panels operators look for.
     */
    @Test
    void theDashboardQueriesOnlyMetricsThatExist() throws Exception {
        JsonNode dashboard = new ObjectMapper().readTree(Path.of("..", "docs", "grafana", "berth-dashboard.json").toFile());
        List<String> expressions = new ArrayList<>();
        dashboard.path("panels").forEach(panel -> panel.path("targets").forEach(t -> expressions.add(t.path("expr").asText())));
        Set<String> queried = new TreeSet<>();
        Matcher names = Pattern.compile("\\b((?:berth|jvm|process|system|hikaricp)_[a-z0-9_]+)").matcher(String.join("\n", expressions));
        while (names.find()) {
            queried.add(names.group(1));
        }
        assertThat(queried).hasSizeGreaterThan(15);
        List<String> titles = new ArrayList<>();
        dashboard.path("panels").forEach(panel -> titles.add(panel.path("title").asText()));
        assertThat(String.join("|", titles).toLowerCase()).contains("request rate", "error", "p50", "p99", "bytes",
                "upload", "pool", "outbox", "scan", "heap", "gc");

        int closedPort;
        try (ServerSocket socket = new ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }
        EndpointConfig refusing = EndpointConfig.webhook(URI.create("http://127.0.0.1:" + closedPort + "/hook"));
        try (BerthFixture registry = BerthFixture.start(dir.resolve("data"), c -> c.withEvents(c.events().withEndpoint(refusing)))) {
            MetricsHttp http = new MetricsHttp(registry.baseUri());
            http.pushImage("team/app", "v1", random(100));
            System.gc(); // the GC pause timer appears with the first collection it is told of
            Scraped scraped = awaitScrape(http, s -> s.names().containsAll(queried));
            assertThat(scraped.names()).containsAll(queried);
        }
    }

    private static Scraped awaitScrape(MetricsHttp http, Predicate<Scraped> done) throws InterruptedException {
        Instant deadline = Instant.now().plus(Duration.ofSeconds(20));
        Scraped scraped = http.scrape();
        while (!done.test(scraped) && Instant.now().isBefore(deadline)) {
            Thread.sleep(200);
            scraped = http.scrape();
        }
        return scraped;
    }

    private static byte[] random(int length) {
        byte[] bytes = new byte[length];
        new Random(length).nextBytes(bytes);
        return bytes;
    }
}
