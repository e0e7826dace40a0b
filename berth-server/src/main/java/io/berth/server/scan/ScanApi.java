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
import io.berth.server.http.Reply;
import io.berth.server.meta.ManifestIndex;
import io.berth.server.meta.StoredManifest;
import io.berth.server.handler.ManifestHandler;
import io.berth.server.http.Exchange;
import io.vertx.core.Future;
import java.io.IOException;
import java.util.Optional;

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
public final class ScanApi {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final ScanService scans;
    private final ManifestIndex manifests;

    ScanApi(ScanService scans, ManifestIndex manifests) {
        this.scans = scans;
        this.manifests = manifests;
    }

    /** {@code POST /api/v1/artifact/scan}. */
    public Future<Reply> scanNow(Exchange exchange) {
        return exchange.blocking(() -> scanNow(manifest(exchange)));
    }

    /** {@code GET /api/v1/artifact/scan}. */
    public Future<Reply> artifactScans(Exchange exchange) {
        return exchange.blocking(() -> artifactScans(manifest(exchange)));
    }

    /** {@code GET /api/v1/scanners}. */
    public Future<Reply> scanners(Exchange exchange) {
        return exchange.blocking(this::scanners);
    }

    private Reply scanNow(StoredManifest manifest) {
        ScanStatus status = scans.scanNow(manifest);
        ObjectNode body = JSON.createObjectNode();
        body.set("scan", ScanJson.status(status));
        return json(status.state() == ScanStatus.State.NOT_SCANNABLE ? 200 : 202, body);
    }

    private Reply artifactScans(StoredManifest manifest) {
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

    /** The artifact of the {@code repository} (checked by the router) and {@code reference} parameters. */
    private StoredManifest manifest(Exchange exchange) {
        Repository repository = Repository.of(exchange.query("repository").orElseThrow());
        String text = exchange.query("reference").filter(v -> !v.isEmpty())
                .orElseThrow(() -> ErrorCode.MANIFEST_INVALID.exception("the reference parameter is required"));
        Reference reference = ManifestHandler.reference(text, ErrorCode.MANIFEST_UNKNOWN);
        return (reference instanceof Reference.Tag tag
                ? manifests.manifestByTag(repository, tag)
                : manifests.manifest(repository, ((Reference.ByDigest) reference).digest()))
                .orElseThrow(() -> ErrorCode.MANIFEST_UNKNOWN.exception(repository + ":" + reference + " is unknown"));
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
}
