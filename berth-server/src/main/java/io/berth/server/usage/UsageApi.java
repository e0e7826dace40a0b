package io.berth.server.usage;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.berth.server.blob.UploadSessions;
import io.berth.server.http.Exchange;
import io.berth.server.http.Reply;
import io.berth.server.meta.StorageUsage;
import io.berth.server.meta.StorageUsage.RepositoryUsage;
import io.berth.server.meta.StorageUsage.TypeUsage;
import io.berth.server.meta.StorageUsage.Usage;
import io.vertx.core.Future;

/**
 * {@code GET /api/v1/admin/storage}, for the registry's operators: what the content takes per repository and per
 * artifact type, and the open upload sessions.
 *
 * <pre>
 * {"repositories": [{"repository": "team/app", "artifacts": 3, "bytes": 52428800, "unreferencedBytes": 0,
 *                    "byType": [{"type": "oci-image", "artifacts": 2, "bytes": 52000000}, …]}, …],
 *  "total": {"bytes": 73400320, "blobs": 41},
 *  "uploads": {"open": 2, "expireAfterSeconds": 86400}}
 * </pre>
 *
 * A blob counts once in {@code total} and fully in every repository that links it and every type there that
 * references it (see {@link StorageUsage}).
 */
public final class UsageApi {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final StorageUsage usage;
    private final UploadSessions uploads;

    public UsageApi(StorageUsage usage, UploadSessions uploads) {
        this.usage = usage;
        this.uploads = uploads;
    }

    /** {@code GET /api/v1/admin/storage}. */
    public Future<Reply> storage(Exchange exchange) {
        return exchange.blocking(() -> json(usage.usage(), uploads.open(), uploads.config().expireAfter().toSeconds()));
    }

    static Reply json(Usage usage, long openUploads, long expireAfterSeconds) {
        ObjectNode body = JSON.createObjectNode();
        ArrayNode repositories = body.putArray("repositories");
        for (RepositoryUsage repository : usage.repositories()) {
            ObjectNode node = repositories.addObject()
                    .put("repository", repository.repository().name())
                    .put("artifacts", repository.artifacts())
                    .put("bytes", repository.bytes())
                    .put("unreferencedBytes", repository.unreferencedBytes());
            ArrayNode types = node.putArray("byType");
            for (TypeUsage type : repository.byType()) {
                types.addObject().put("type", type.typeId()).put("artifacts", type.artifacts()).put("bytes", type.bytes());
            }
        }
        body.putObject("total").put("bytes", usage.total().bytes()).put("blobs", usage.total().blobs());
        body.putObject("uploads").put("open", openUploads).put("expireAfterSeconds", expireAfterSeconds);
        try {
            return Reply.status(200).header("Cache-Control", "no-store")
                    .bytes(JSON.writeValueAsBytes(body), "application/json");
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
