package io.berth.server.retention;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.berth.oci.ErrorCode;
import io.berth.server.http.Exchange;
import io.berth.server.http.Reply;
import io.vertx.core.Future;
import java.util.List;

/**
 * The retention admin API.
 * <ul>
 * <li>{@code GET /api/v1/admin/retention/preview}: what a run would delete now and why; deletes nothing.</li>
 * <li>{@code POST /api/v1/admin/retention[?dryRun=true]}: runs the policies now and answers with the run's report;
 *     409 {@code UNSUPPORTED} when a garbage collection or another run holds the lease, or collections are
 *     paused.</li>
 * </ul>
 * A report: {@code {"id", "dryRun", "status": "done|failed", "startedAt", "finishedAt", "policies",
 * "repositoriesExamined", "tagsDeleted", "manifestsDeleted", "deletions": [deletion, …], "skipped": [deletion, …],
 * "error"}}; a deletion: {@code {"repository", "tag" (null for a manifest), "digest", "type", "policy", "rule",
 * "reason", "tagsWithIt": […]}}.
 */
public final class RetentionApi {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private final Retention retention;

    public RetentionApi(Retention retention) {
        this.retention = retention;
    }

    /** {@code GET /api/v1/admin/retention/preview}. */
    public Future<Reply> preview(Exchange exchange) {
        return exchange.blocking(() -> json(report(retention.preview())));
    }

    /** {@code POST /api/v1/admin/retention}. */
    public Future<Reply> run(Exchange exchange) {
        boolean dryRun = exchange.query("dryRun").map(value -> switch (value) {
            case "true", "1" -> true;
            case "false", "0", "" -> false;
            default -> throw ErrorCode.UNSUPPORTED.exception(400, "dryRun must be true or false, was '" + value + "'");
        }).orElse(false);
        return exchange.blocking(() -> {
            Retention.Outcome outcome = retention.run(dryRun);
            if (outcome instanceof Retention.Refused refused) {
                throw ErrorCode.UNSUPPORTED.exception(409, refused.reason());
            }
            return json(report(((Retention.Finished) outcome).run()));
        });
    }

    static ObjectNode report(RetentionRun run) {
        ObjectNode node = MAPPER.createObjectNode()
                .put("id", run.id())
                .put("dryRun", run.dryRun())
                .put("status", run.error().isPresent() ? "failed" : "done")
                .put("startedAt", run.startedAt().toString())
                .put("finishedAt", run.finishedAt().toString())
                .put("policies", run.policies())
                .put("repositoriesExamined", run.repositoriesExamined())
                .put("tagsDeleted", run.tagsDeleted())
                .put("manifestsDeleted", run.manifestsDeleted());
        deletions(node.putArray("deletions"), run.deletions());
        deletions(node.putArray("skipped"), run.skipped());
        run.error().ifPresentOrElse(e -> node.put("error", e), () -> node.putNull("error"));
        return node;
    }

    private static void deletions(ArrayNode array, List<Deletion> deletions) {
        for (Deletion d : deletions) {
            ObjectNode item = array.addObject().put("repository", d.repository().name());
            d.tag().ifPresentOrElse(t -> item.put("tag", t), () -> item.putNull("tag"));
            item.put("digest", d.digest().toString())
                    .put("type", d.typeId())
                    .put("policy", d.policy())
                    .put("rule", d.rule())
                    .put("reason", d.reason());
            ArrayNode tags = item.putArray("tagsWithIt");
            d.tagsWithIt().stream().sorted().forEach(tags::add);
        }
    }

    private static Reply json(ObjectNode body) {
        try {
            return Reply.status(200).header("Cache-Control", "no-store")
                    .bytes(MAPPER.writeValueAsBytes(body), "application/json");
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
