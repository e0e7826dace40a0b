package io.berth.server.scrub;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.berth.oci.ErrorCode;
import io.berth.server.http.Exchange;
import io.berth.server.http.Reply;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.util.List;
import io.vertx.core.Vertx;

/**
 * The scrub's admin API.
 * <ul>
 * <li>{@code POST /api/v1/admin/scrub}: starts a scrub and answers 200 with its report when it ends within
 *     {@value #ANSWER_WITHIN_MILLIS} ms, else 202 with its report so far (status {@code running}); it goes on, and
 *     {@code GET} shows how it ended. 409 {@code UNSUPPORTED} while one is running.</li>
 * <li>{@code GET /api/v1/admin/scrub}: {@code {"running": bool, "bytesPerSecond": n, "runs": [report, …]}}, the last
 *     {@value Scrubber#RECENT} runs of every node sharing the database, newest first.</li>
 * </ul>
 * A report: {@code {"id", "node", "startedAt", "finishedAt", "status": "running|done|failed", "blobsChecked", "bytesChecked",
 * "corrupt", "missing", "corruptDigests": [...], "missingDigests": [...], "error"}}; corrupt blobs are quarantined,
 * the digest lists name the first {@value Scrubber#LISTED} of each.
 */
public final class ScrubApi {
    static final long ANSWER_WITHIN_MILLIS = 50_000;
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Scrubber scrubber;
    private final Vertx vertx;
    private final long bytesPerSecond;

    public ScrubApi(Scrubber scrubber, Vertx vertx, long bytesPerSecond) {
        this.scrubber = scrubber;
        this.vertx = vertx;
        this.bytesPerSecond = bytesPerSecond;
    }

    /** {@code POST /api/v1/admin/scrub}. */
    public Future<Reply> scrub(Exchange exchange) {
        return exchange.blocking(scrubber::start).compose(this::answer);
    }

    private Future<Reply> answer(Scrubber.Started started) {
        if (started instanceof Scrubber.Refused refused) {
            throw ErrorCode.UNSUPPORTED.exception(409, refused.reason());
        }
        Scrubber.Running running = (Scrubber.Running) started;
        Promise<Reply> answer = Promise.promise();
        long timer = vertx.setTimer(ANSWER_WITHIN_MILLIS, t -> answer.tryComplete(json(202, report(running.run()))));
        running.done().whenComplete((run, failure) -> {
            vertx.cancelTimer(timer);
            answer.tryComplete(json(200, report(running.run())));
        });
        return answer.future();
    }

    /** {@code GET /api/v1/admin/scrub}. */
    public Future<Reply> runs(Exchange exchange) {
        return exchange.blocking(() -> {
            List<ScrubRun> recent = scrubber.recent();
            ObjectNode body = JSON.createObjectNode()
                    .put("running", recent.stream().anyMatch(r -> r.status().equals("running")))
                    .put("bytesPerSecond", bytesPerSecond);
            ArrayNode runs = body.putArray("runs");
            recent.forEach(run -> runs.add(report(run)));
            return json(200, body);
        });
    }

    static ObjectNode report(ScrubRun run) {
        ObjectNode node = JSON.createObjectNode()
                .put("id", run.id())
                .put("node", run.node())
                .put("startedAt", run.startedAt().toString());
        run.finishedAt().ifPresentOrElse(t -> node.put("finishedAt", t.toString()), () -> node.putNull("finishedAt"));
        node.put("status", run.status())
                .put("blobsChecked", run.blobsChecked())
                .put("bytesChecked", run.bytesChecked())
                .put("corrupt", run.corruptCount())
                .put("missing", run.missingCount());
        ArrayNode corrupt = node.putArray("corruptDigests");
        run.corruptDigests().forEach(corrupt::add);
        ArrayNode missing = node.putArray("missingDigests");
        run.missingDigests().forEach(missing::add);
        run.error().ifPresentOrElse(e -> node.put("error", e), () -> node.putNull("error"));
        return node;
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
