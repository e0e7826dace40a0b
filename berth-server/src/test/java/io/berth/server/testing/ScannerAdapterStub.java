package io.berth.server.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A Harbor scanner adapter (API v1.2) for scan tests, declaring one vulnerability capability that consumes only the
 * OCI image manifest. {@code POST /api/v1/scan} pulls the manifest named by the request from its {@code registry.url}
 * with its {@code registry.authorization} (so the request must be usable) and answers 202 with an id;
 * {@code GET /api/v1/scan/{id}/report} answers 302 with {@code Refresh-After: 1} the first time and 200 with a report
 * listing {@link #VULNERABILITIES} after — or 500 when the repository's name contains {@code broken}.
 */
public final class ScannerAdapterStub implements AutoCloseable {
    public static final String OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";
    public static final String REPORT_TYPE = "application/vnd.security.vulnerability.report; version=1.1";
    /** Severities of the vulnerabilities each report lists: one critical, two high, one low, one negligible, one unknown. */
    public static final List<String> VULNERABILITIES = List.of("Critical", "High", "High", "Low", "Negligible", "Unknown");
    private static final ObjectMapper JSON = new ObjectMapper();

    /** A scan request as received, and whether pulling its manifest from the registry worked. */
    public record Received(JsonNode request, int pullStatus) {
        public String digest() {
            return request.at("/artifact/digest").asText();
        }

        public String repository() {
            return request.at("/artifact/repository").asText();
        }
    }

    private final HttpServer server;
    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final List<Received> received = new CopyOnWriteArrayList<>();
    private final Map<String, Received> scans = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> polls = new ConcurrentHashMap<>();

    private ScannerAdapterStub() {
        try {
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        server.setExecutor(Executors.newFixedThreadPool(2));
        server.createContext("/api/v1/", exchange -> {
            try {
                handle(exchange);
            } finally {
                exchange.close();
            }
        });
        server.start();
    }

    public static ScannerAdapterStub start() {
        return new ScannerAdapterStub();
    }

    public URI url() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    /** Every scan request received, in order. */
    public List<Received> received() {
        return List.copyOf(received);
    }

    /** How often the report of each scan request id was asked for. */
    public Map<String, Integer> polls() {
        Map<String, Integer> counts = new ConcurrentHashMap<>();
        polls.forEach((id, count) -> counts.put(id, count.get()));
        return counts;
    }

    private void handle(HttpExchange exchange) throws IOException {
        String path = exchange.getRequestURI().getPath();
        String method = exchange.getRequestMethod();
        if (method.equals("GET") && path.equals("/api/v1/metadata")) {
            ObjectNode metadata = JSON.createObjectNode();
            metadata.putObject("scanner").put("name", "Stub").put("vendor", "Berth tests").put("version", "1.2.0");
            ObjectNode capability = metadata.putArray("capabilities").addObject().put("type", "vulnerability");
            capability.putArray("consumes_mime_types").add(OCI_MANIFEST);
            capability.putArray("produces_mime_types").add(REPORT_TYPE)
                    .add("application/vnd.scanner.adapter.vuln.report.harbor+json; version=1.0");
            send(exchange, 200, "application/vnd.scanner.adapter.metadata+json; version=1.1", metadata);
        } else if (method.equals("POST") && path.equals("/api/v1/scan")) {
            JsonNode request;
            try (InputStream in = exchange.getRequestBody()) {
                request = JSON.readTree(in);
            }
            Received scan = new Received(request, pull(request));
            received.add(scan);
            if (!request.at("/artifact/mime_type").asText().equals(OCI_MANIFEST)) {
                send(exchange, 400, "application/vnd.scanner.adapter.error+json; version=1.0",
                        JSON.createObjectNode().set("error", JSON.createObjectNode().put("message", "unsupported mime type")));
                return;
            }
            String id = UUID.randomUUID().toString();
            scans.put(id, scan);
            send(exchange, 202, "application/vnd.scanner.adapter.scan.response+json; version=1.0",
                    JSON.createObjectNode().put("id", id));
        } else if (method.equals("GET") && path.startsWith("/api/v1/scan/") && path.endsWith("/report")) {
            String id = path.substring("/api/v1/scan/".length(), path.length() - "/report".length());
            Received scan = scans.get(id);
            if (scan == null) {
                exchange.sendResponseHeaders(404, -1);
                return;
            }
            int poll = polls.computeIfAbsent(id, i -> new AtomicInteger()).incrementAndGet();
            if (poll == 1) {
                exchange.getResponseHeaders().add("Refresh-After", "1");
                exchange.sendResponseHeaders(302, -1);
            } else if (scan.repository().contains("broken")) {
                send(exchange, 500, "application/vnd.scanner.adapter.error+json; version=1.0",
                        JSON.createObjectNode().set("error", JSON.createObjectNode().put("message", "the scanner crashed")));
            } else {
                send(exchange, 200, exchange.getRequestHeaders().getFirst("Accept"), report(scan));
            }
        } else {
            exchange.sendResponseHeaders(404, -1);
        }
    }

    /** GETs the manifest from the registry the way the request says; the status. */
    private int pull(JsonNode request) {
        String url = request.at("/registry/url").asText() + "/v2/" + request.at("/artifact/repository").asText()
                + "/manifests/" + request.at("/artifact/digest").asText();
        HttpRequest.Builder get = HttpRequest.newBuilder(URI.create(url)).header("Accept", OCI_MANIFEST).GET();
        String authorization = request.at("/registry/authorization").asText();
        if (!authorization.isEmpty()) {
            get.header("Authorization", authorization);
        }
        try {
            return client.send(get.build(), HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (IOException | RuntimeException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    private static ObjectNode report(Received scan) {
        ObjectNode report = JSON.createObjectNode().put("generated_at", java.time.Instant.now().toString());
        report.set("artifact", scan.request().get("artifact"));
        report.putObject("scanner").put("name", "Stub").put("vendor", "Berth tests").put("version", "1.2.0");
        report.put("severity", "Critical");
        ArrayNode vulnerabilities = report.putArray("vulnerabilities");
        for (int i = 0; i < VULNERABILITIES.size(); i++) {
            vulnerabilities.addObject().put("id", "CVE-2024-000" + i).put("package", "libexample")
                    .put("version", "1.0").put("fix_version", "1.1").put("severity", VULNERABILITIES.get(i));
        }
        return report;
    }

    private static void send(HttpExchange exchange, int status, String contentType, JsonNode body) throws IOException {
        byte[] bytes = JSON.writeValueAsBytes(body);
        exchange.getResponseHeaders().add("Content-Type", contentType);
        exchange.sendResponseHeaders(status, bytes.length);
        exchange.getResponseBody().write(bytes);
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
