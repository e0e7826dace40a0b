package io.berth.server.usage;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.berth.server.blob.UploadSessions;
import io.berth.server.http.Exchange;
import io.berth.server.http.Reply;
import io.berth.oci.Repository;
import io.berth.server.meta.Quota;
import io.berth.server.meta.Quotas;
import io.berth.server.meta.StorageUsage;
import io.berth.server.meta.StorageUsage.NamespaceUsage;
import io.berth.server.meta.StorageUsage.RepositoryUsage;
import io.berth.server.meta.StorageUsage.TypeUsage;
import io.berth.server.meta.StorageUsage.Usage;
import io.vertx.core.Future;
import java.util.List;
import java.util.Optional;

/**
 * {@code GET /api/v1/admin/storage}, for the registry's operators: what the content takes per repository and per
 * artifact type, and the open upload sessions.
 *
 * <pre>
 * {"repositories": [{"repository": "team/app", "artifacts": 3, "manifests": 5, "bytes": 52428800,
 *                    "unreferencedBytes": 0,
 *                    "byType": [{"type": "oci-image", "artifacts": 2, "bytes": 52000000}, …],
 *                    "quota": {"rule": "quotas[0]", "maxBytes": 1073741824, "maxManifests": null}}, …],
 *  "namespaces": [{"namespace": "team", "manifests": 9, "bytes": 60000000, "quota": null}, …],
 *  "total": {"bytes": 73400320, "blobs": 41},
 *  "uploads": {"open": 2, "expireAfterSeconds": 86400}}
 * </pre>
 *
 * A blob counts once in {@code total}, once in each namespace whose repositories link it, and fully in every
 * repository that links it and every type there that references it (see {@link StorageUsage}). {@code quota} is
 * the limit that applies ({@code null}: none; a {@code null} maximum: no limit of that kind).
 */
public final class UsageApi {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final StorageUsage usage;
    private final UploadSessions uploads;
    private final Quotas quotas;

    public UsageApi(StorageUsage usage, UploadSessions uploads, Quotas quotas) {
        this.usage = usage;
        this.uploads = uploads;
        this.quotas = quotas;
    }

    public UsageApi(StorageUsage usage, UploadSessions uploads) {
        this(usage, uploads, Quotas.NONE);
    }

    /** {@code GET /api/v1/admin/storage}. */
    public Future<Reply> storage(Exchange exchange) {
        return exchange.blocking(() -> json(usage.usage(), quotas, uploads.open(),
                uploads.config().expireAfter().toSeconds()));
    }

    /** {@code "quota"}: the one of {@code kind} among {@code applying}, or null. */
    private static void quota(ObjectNode node, List<Quota> applying, Quota.Scope.Kind kind) {
        Optional<Quota> quota = applying.stream().filter(q -> q.scope().kind() == kind).findFirst();
        if (quota.isEmpty()) {
            node.putNull("quota");
            return;
        }
        ObjectNode limit = node.putObject("quota").put("rule", quota.get().rule());
        if (quota.get().maxBytes().isPresent()) {
            limit.put("maxBytes", quota.get().maxBytes().getAsLong());
        } else {
            limit.putNull("maxBytes");
        }
        if (quota.get().maxManifests().isPresent()) {
            limit.put("maxManifests", quota.get().maxManifests().getAsLong());
        } else {
            limit.putNull("maxManifests");
        }
    }

    static Reply json(Usage usage, Quotas quotas, long openUploads, long expireAfterSeconds) {
        ObjectNode body = JSON.createObjectNode();
        ArrayNode repositories = body.putArray("repositories");
        for (RepositoryUsage repository : usage.repositories()) {
            ObjectNode node = repositories.addObject()
                    .put("repository", repository.repository().name())
                    .put("artifacts", repository.artifacts())
                    .put("manifests", repository.manifests())
                    .put("bytes", repository.bytes())
                    .put("unreferencedBytes", repository.unreferencedBytes());
            ArrayNode types = node.putArray("byType");
            for (TypeUsage type : repository.byType()) {
                types.addObject().put("type", type.typeId()).put("artifacts", type.artifacts()).put("bytes", type.bytes());
            }
            quota(node, quotas.applying(repository.repository()), Quota.Scope.Kind.REPOSITORY);
        }
        ArrayNode namespaces = body.putArray("namespaces");
        for (NamespaceUsage namespace : usage.namespaces()) {
            ObjectNode node = namespaces.addObject()
                    .put("namespace", namespace.namespace())
                    .put("manifests", namespace.manifests())
                    .put("bytes", namespace.bytes());
            quota(node, quotas.applying(Repository.of(namespace.namespace())), Quota.Scope.Kind.NAMESPACE);
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
