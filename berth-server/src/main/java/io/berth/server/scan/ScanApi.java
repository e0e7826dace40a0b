package io.berth.server.scan;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.berth.oci.ErrorCode;
import io.berth.oci.Reference;
import io.berth.oci.Repository;
import io.berth.oci.type.TypeCatalog;
import io.berth.server.http.ErrorRenderer;
import io.berth.server.http.Reply;
import io.berth.server.meta.ManifestIndex;
import io.berth.server.meta.StoredManifest;
import io.vertx.core.Handler;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import java.io.IOException;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;

/**
 * Scans over HTTP:
 * <ul>
 * <li>{@code POST /api/v1/artifact/scan?repository=&reference=} scans the artifact again now: 202 with its
 *     {@code scan} (pending), or 200 with {@code not-scannable} when no scanner accepts it;</li>
 * <li>{@code GET /api/v1/artifact/scan?repository=&reference=}: its {@code scan} and every scanner's result, with the
 *     report as the adapter made it;</li>
 * <li>{@code GET /api/v1/scanners}: the configured scanners, what their adapters declared and the configuration
 *     warnings.</li>
 * </ul>
 */
final class ScanApi implements Handler<HttpServerRequest> {
    /** The paths this API answers. */
    static final String ARTIFACT_SCAN = "/api/v1/artifact/scan";
    static final String SCANNERS = "/api/v1/scanners";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final ScanService scans;
    private final ManifestIndex manifests;
    private final WorkerExecutor workers;

    ScanApi(ScanService scans, ManifestIndex manifests, WorkerExecutor workers) {
        this.scans = scans;
        this.manifests = manifests;
        this.workers = workers;
    }

    @Override
    public void handle(HttpServerRequest request) {
        request.pause();
        Callable<Reply> work;
        try {
            work = route(request);
        } catch (RuntimeException e) {
            ErrorRenderer.render(request, e);
            return;
        }
        workers.executeBlocking(work, false).onComplete(result -> {
            if (result.succeeded()) {
                result.result().sendTo(request);
            } else {
                ErrorRenderer.render(request, result.cause());
            }
        });
    }

    private Callable<Reply> route(HttpServerRequest request) {
        HttpMethod method = request.method();
        boolean read = method == HttpMethod.GET || method == HttpMethod.HEAD;
        if (request.path().equals(ARTIFACT_SCAN) && method == HttpMethod.POST) {
            return () -> scanNow(request);
        } else if (request.path().equals(ARTIFACT_SCAN) && read) {
            return () -> artifactScans(request);
        } else if (request.path().equals(SCANNERS) && read) {
            return this::scanners;
        } else if (request.path().equals(ARTIFACT_SCAN) || request.path().equals(SCANNERS)) {
            request.response().putHeader("Allow", request.path().equals(SCANNERS) ? "GET, HEAD" : "GET, HEAD, POST");
            throw ErrorCode.UNSUPPORTED.exception(method + " is not supported on " + request.path());
        }
        throw ErrorCode.NOT_FOUND.exception("no such scan resource: " + request.path());
    }

    private Reply scanNow(HttpServerRequest request) {
        StoredManifest manifest = manifest(request);
        ScanStatus status = scans.scanNow(manifest);
        ObjectNode body = JSON.createObjectNode();
        body.set("scan", ScanJson.status(status));
        return json(status.state() == ScanStatus.State.NOT_SCANNABLE ? 200 : 202, body);
    }

    private Reply artifactScans(HttpServerRequest request) {
        StoredManifest manifest = manifest(request);
        ObjectNode body = JSON.createObjectNode();
        body.set("scan", ScanJson.status(scans.status(manifest.repository(), manifest.digest(),
                manifest.classification().typeId())));
        ArrayNode list = body.putArray("scans");
        for (ScanStore.Row row : scans.scans(manifest.repository(), manifest.digest())) {
            ObjectNode node = list.addObject().put("scanner", row.key().scanner()).put("status", row.status())
                    .put("requestedAt", row.requestedAt().toString()).put("updatedAt", row.updatedAt().toString())
                    .put("attempts", row.attempts());
            row.error().ifPresent(error -> node.put("error", error));
            row.summary().ifPresent(summary -> node.set("summary", ScanJson.summary(summary)));
            row.reportMediaType().ifPresent(type -> node.put("reportMediaType", type));
            row.report().ifPresent(report -> node.set("report", readTree(report)));
        }
        return json(200, body);
    }

    private Reply scanners() {
        TypeCatalog catalog = scans.catalog();
        ObjectNode body = JSON.createObjectNode();
        ArrayNode list = body.putArray("scanners");
        for (Scanners.Scanner scanner : scans.scanners().all()) {
            ObjectNode node = list.addObject().put("name", scanner.name()).put("url", scanner.config.displayUrl());
            ArrayNode configured = node.putArray("types");
            scanner.types(catalog).forEach(configured::add);
            ArrayNode accepted = node.putArray("acceptedTypes");
            scanner.types(catalog).stream().map(catalog::type).flatMap(Optional::stream)
                    .filter(type -> scanner.accepts(type, catalog)).forEach(type -> accepted.add(type.id()));
            scanner.metadata.ifPresentOrElse(metadata -> {
                node.putObject("adapter").put("name", metadata.name()).put("vendor", metadata.vendor())
                        .put("version", metadata.version());
                ArrayNode capabilities = node.putArray("capabilities");
                metadata.capabilities().forEach(c -> {
                    ObjectNode capability = capabilities.addObject().put("type", c.type().isEmpty() ? "vulnerability" : c.type());
                    c.consumes().forEach(capability.withArray("consumes")::add);
                    c.produces().forEach(capability.withArray("produces")::add);
                });
            }, () -> node.putNull("adapter"));
            scanner.metadataError.ifPresent(error -> node.put("metadataError", error));
            ArrayNode warnings = node.putArray("warnings");
            scanner.warnings.forEach(warnings::add);
        }
        return json(200, body);
    }

    private StoredManifest manifest(HttpServerRequest request) {
        Repository repository = Repository.of(param(request, "repository")
                .orElseThrow(() -> ErrorCode.NAME_INVALID.exception("the repository parameter is required")));
        Reference reference = Reference.parse(param(request, "reference")
                .orElseThrow(() -> ErrorCode.MANIFEST_INVALID.exception("the reference parameter is required")));
        return (reference instanceof Reference.Tag tag
                ? manifests.manifestByTag(repository, tag)
                : manifests.manifest(repository, ((Reference.ByDigest) reference).digest()))
                .orElseThrow(() -> ErrorCode.MANIFEST_UNKNOWN.exception(repository + ":" + reference + " is unknown"));
    }

    private static Optional<String> param(HttpServerRequest request, String name) {
        return Optional.ofNullable(request.getParam(name)).filter(v -> !v.isEmpty());
    }

    private static JsonNode readTree(byte[] report) {
        try {
            return JSON.readTree(report);
        } catch (IOException e) {
            return JSON.getNodeFactory().textNode(new String(report, java.nio.charset.StandardCharsets.UTF_8));
        }
    }

    private static Reply json(int status, ObjectNode body) {
        try {
            return Reply.status(status).header("Cache-Control", "no-store")
                    .bytes(JSON.writeValueAsBytes(body), "application/json");
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    static List<String> paths() {
        return List.of(ARTIFACT_SCAN, SCANNERS);
    }
}
