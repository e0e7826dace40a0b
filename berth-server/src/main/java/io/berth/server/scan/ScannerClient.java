package io.berth.server.scan;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.berth.oci.Digest;
import io.berth.oci.Repository;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Berth's side of the Harbor scanner adapter API v1.2: {@code GET /api/v1/metadata}, {@code POST /api/v1/scan}
 * (202 with the scan request id) and {@code GET /api/v1/scan/{id}/report} (302 with {@code Refresh-After} while the
 * report is being made, then 200 with it).
 */
final class ScannerClient {
    static final String METADATA_TYPES = "application/vnd.scanner.adapter.metadata+json; version=1.1, "
            + "application/vnd.scanner.adapter.metadata+json; version=1.0";
    static final String SCAN_REQUEST_TYPE = "application/vnd.scanner.adapter.scan.request+json; version=1.1";
    private static final Duration TIMEOUT = Duration.ofSeconds(30);
    private static final ObjectMapper JSON = new ObjectMapper();

    /** A scan request's artifact and how the adapter pulls it. */
    record ScanRequest(URI registryUrl, String authorization, Repository repository, Digest digest,
                       Optional<String> tag, String mimeType) {
    }

    /** What the report endpoint answered. */
    sealed interface Report {
    }

    /** Not ready: ask again after {@code refreshAfter}. */
    record NotReady(Duration refreshAfter) implements Report {
    }

    /** The report, in {@code mimeType}. */
    record Ready(String mimeType, byte[] body) implements Report {
    }

    /**
     * A call that failed.
     *
     * @param permanent true when asking again cannot help (the adapter refused the request)
     * @param unknown   true when the adapter does not know the scan request id (it may have restarted)
     */
    static final class ScannerException extends Exception {
        final boolean permanent;
        final boolean unknown;

        ScannerException(String message, boolean permanent, boolean unknown) {
            super(message);
            this.permanent = permanent;
            this.unknown = unknown;
        }
    }

    private final Supplier<HttpClient> connect;
    private HttpClient http;

    /** @param connect builds the HTTP client on the first call (building one loads the TLS stack, ~0.1 s) */
    ScannerClient(Supplier<HttpClient> connect) {
        this.connect = connect;
    }

    private synchronized HttpClient http() {
        if (http == null) {
            http = connect.get();
        }
        return http;
    }

    ScannerMetadata metadata(ScannerConfig scanner) throws ScannerException, InterruptedException {
        HttpResponse<byte[]> response = send(scanner, request(scanner, "/metadata").header("Accept", METADATA_TYPES).GET());
        if (response.statusCode() != 200) {
            throw failure("GET /metadata", response, false);
        }
        try {
            return ScannerMetadata.parse(JSON.readTree(response.body()));
        } catch (IOException | IllegalArgumentException e) {
            throw new ScannerException("GET /metadata: unreadable metadata: " + e.getMessage(), false, false);
        }
    }

    /** Submits the scan; the adapter's scan request id. */
    String scan(ScannerConfig scanner, ScanRequest scan) throws ScannerException, InterruptedException {
        ObjectNode body = JSON.createObjectNode();
        body.putObject("registry").put("url", scan.registryUrl().toString()).put("authorization", scan.authorization());
        ObjectNode artifact = body.putObject("artifact")
                .put("repository", scan.repository().name())
                .put("digest", scan.digest().toString());
        scan.tag().ifPresent(tag -> artifact.put("tag", tag));
        artifact.put("mime_type", scan.mimeType());
        HttpResponse<byte[]> response;
        try {
            response = send(scanner, request(scanner, "/scan")
                    .header("Content-Type", SCAN_REQUEST_TYPE)
                    .header("Accept", "application/vnd.scanner.adapter.scan.response+json; version=1.0, application/json")
                    .POST(HttpRequest.BodyPublishers.ofByteArray(JSON.writeValueAsBytes(body))));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
        if (response.statusCode() != 202 && response.statusCode() != 200) {
            int status = response.statusCode();
            throw failure("POST /scan", response, status == 400 || status == 422 || status == 501);
        }
        try {
            String id = JSON.readTree(response.body()).path("id").asText("");
            if (id.isEmpty()) {
                throw new ScannerException("POST /scan: the answer has no id", false, false);
            }
            return id;
        } catch (IOException e) {
            throw new ScannerException("POST /scan: unreadable answer: " + e.getMessage(), false, false);
        }
    }

    Report report(ScannerConfig scanner, String scanRequestId, String reportType)
            throws ScannerException, InterruptedException {
        String path = "/scan/" + java.net.URLEncoder.encode(scanRequestId, java.nio.charset.StandardCharsets.UTF_8)
                .replace("+", "%20") + "/report";
        HttpResponse<byte[]> response = send(scanner, request(scanner, path).header("Accept", reportType).GET());
        return switch (response.statusCode()) {
            case 200 -> new Ready(response.headers().firstValue("Content-Type").orElse(reportType), response.body());
            case 302 -> new NotReady(refreshAfter(response));
            case 404 -> throw new ScannerException("GET " + path + ": the adapter does not know the scan", false, true);
            case 400, 501 -> throw failure("GET " + path, response, true);
            default -> throw failure("GET " + path, response, response.statusCode() == 500);
        };
    }

    /** {@code Refresh-After}, in seconds (the spec's integer); 5 s when missing or unreadable. */
    private static Duration refreshAfter(HttpResponse<?> response) {
        try {
            return Duration.ofSeconds(Long.parseLong(response.headers().firstValue("Refresh-After").orElse("5").trim()));
        } catch (NumberFormatException e) {
            return Duration.ofSeconds(5);
        }
    }

    private HttpRequest.Builder request(ScannerConfig scanner, String path) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(scanner.apiRoot() + path)).timeout(TIMEOUT)
                .header("User-Agent", "berth-scanner-client");
        scanner.adapterAuthorization().ifPresent(value -> request.header("Authorization", value));
        return request;
    }

    private HttpResponse<byte[]> send(ScannerConfig scanner, HttpRequest.Builder request)
            throws ScannerException, InterruptedException {
        try {
            return http().send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
        } catch (IOException e) {
            throw new ScannerException("cannot reach scanner " + scanner.name() + " at " + scanner.displayUrl() + ": "
                    + e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage()), false, false);
        }
    }

    /** The adapter's error ({@code {"error":{"message"}}}) or the status. */
    private static ScannerException failure(String call, HttpResponse<byte[]> response, boolean permanent) {
        String message = "HTTP " + response.statusCode();
        try {
            JsonNode error = JSON.readTree(response.body()).path("error").path("message");
            if (error.isTextual() && !error.asText().isEmpty()) {
                message += ": " + error.asText();
            }
        } catch (IOException | RuntimeException notJson) {
            // the status says enough
        }
        return new ScannerException(call + ": " + message, permanent, false);
    }
}
