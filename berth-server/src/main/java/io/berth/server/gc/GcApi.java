package io.berth.server.gc;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.berth.oci.ErrorCode;
import io.berth.oci.RegistryException;
import io.berth.server.http.Exchange;
import io.berth.server.http.Reply;
import io.berth.server.meta.CollectionRun;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * The garbage collection's admin API.
 * <ul>
 * <li>{@code POST /api/v1/admin/gc[?dryRun=true]}: runs a collection and answers 200 with its report; 409
 *     {@code UNSUPPORTED} when one is already running (on any node) or collections are paused; 503 {@code DENIED}
 *     while the operator has made the registry read-only (a dry run still runs). A run that takes
 *     longer than {@value #ANSWER_WITHIN_MILLIS} ms is answered 202 with its report so far (status {@code running})
 *     and goes on; {@code GET} shows how it ended.</li>
 * <li>{@code GET /api/v1/admin/gc}: {@code {"paused": bool, "runs": [report, …]}}, the last
 *     {@value #RECENT_RUNS} runs, newest first.</li>
 * <li>{@code POST /api/v1/admin/gc/pause}, {@code /resume}: for every node; a running collection stops at its next
 *     batch. Answer: {@code {"paused": bool}}.</li>
 * </ul>
 * A report: {@code {"id", "startedAt", "finishedAt", "dryRun", "status": "running|done|failed", "blobsExamined",
 * "blobsDeleted", "bytesFreed", "linksDeleted", "orphanFilesDeleted", "missingFiles", "phases": [{"name",
 * "millis"}], "error"}}, times in ISO-8601, {@code finishedAt} and {@code error} null when there is none.
 */
public final class GcApi {
    static final long ANSWER_WITHIN_MILLIS = 50_000;
    static final int RECENT_RUNS = 20;
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private final Collector collector;
    private final Vertx vertx;
    private final Supplier<Optional<String>> deletionsRefused;

    /** @param deletionsRefused why a collection may not delete now, if so (503 {@code DENIED}; dry runs still run) */
    public GcApi(Collector collector, Vertx vertx, Supplier<Optional<String>> deletionsRefused) {
        this.collector = collector;
        this.vertx = vertx;
        this.deletionsRefused = deletionsRefused;
    }

    /** {@code POST /api/v1/admin/gc}. */
    public Future<Reply> collect(Exchange exchange) {
        boolean dryRun = exchange.query("dryRun").map(value -> switch (value) {
            case "true", "1" -> true;
            case "false", "0", "" -> false;
            default -> throw ErrorCode.UNSUPPORTED.exception(400, "dryRun must be true or false, was '" + value + "'");
        }).orElse(false);
        if (!dryRun) {
            deletionsRefused.get().ifPresent(why -> {
                throw new RegistryException(ErrorCode.DENIED, 503, "the registry is read-only", why);
            });
        }
        AtomicLong started = new AtomicLong(-1);
        Promise<Reply> answer = Promise.promise();
        long timer = vertx.setTimer(ANSWER_WITHIN_MILLIS, t -> exchange.blocking(
                () -> collector.runs().find(started.get()).map(run -> json(202, report(run))))
                .onSuccess(reply -> reply.ifPresent(answer::tryComplete)));
        exchange.blocking(() -> collector.collect(dryRun, started::set)).onComplete(outcome -> {
            vertx.cancelTimer(timer);
            if (outcome.failed()) {
                answer.tryFail(outcome.cause());
            } else if (outcome.result() instanceof Collector.Finished finished) {
                answer.tryComplete(json(200, report(finished.run())));
            } else if (outcome.result() instanceof Collector.Refused refused) {
                answer.tryFail(ErrorCode.UNSUPPORTED.exception(409, refused.reason()));
            }
        });
        return answer.future();
    }

    /** {@code GET /api/v1/admin/gc}. */
    public Future<Reply> runs(Exchange exchange) {
        return exchange.blocking(() -> {
            ObjectNode body = MAPPER.createObjectNode().put("paused", collector.lease().paused());
            ArrayNode runs = body.putArray("runs");
            collector.runs().recent(RECENT_RUNS).forEach(run -> runs.add(report(run)));
            return json(200, body);
        });
    }

    /** {@code POST /api/v1/admin/gc/pause}. */
    public Future<Reply> pause(Exchange exchange) {
        return setPaused(exchange, true);
    }

    /** {@code POST /api/v1/admin/gc/resume}. */
    public Future<Reply> resume(Exchange exchange) {
        return setPaused(exchange, false);
    }

    private Future<Reply> setPaused(Exchange exchange, boolean paused) {
        return exchange.blocking(() -> {
            collector.lease().setPaused(paused);
            return json(200, MAPPER.createObjectNode().put("paused", paused));
        });
    }

    static ObjectNode report(CollectionRun run) {
        ObjectNode node = MAPPER.createObjectNode()
                .put("id", run.id())
                .put("startedAt", run.startedAt().toString());
        run.finishedAt().ifPresentOrElse(t -> node.put("finishedAt", t.toString()), () -> node.putNull("finishedAt"));
        node.put("dryRun", run.dryRun())
                .put("status", run.status().id())
                .put("blobsExamined", run.blobsExamined())
                .put("blobsDeleted", run.blobsDeleted())
                .put("bytesFreed", run.bytesFreed())
                .put("linksDeleted", run.linksDeleted())
                .put("orphanFilesDeleted", run.orphanFilesDeleted())
                .put("missingFiles", run.missingFiles());
        ArrayNode phases = node.putArray("phases");
        run.phases().forEach(phase -> phases.addObject().put("name", phase.name())
                .put("millis", phase.duration().toMillis()));
        run.error().ifPresentOrElse(e -> node.put("error", e), () -> node.putNull("error"));
        return node;
    }

    private static Reply json(int status, ObjectNode body) {
        try {
            return Reply.status(status).header("Cache-Control", "no-store")
                    .bytes(MAPPER.writeValueAsBytes(body), "application/json");
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
