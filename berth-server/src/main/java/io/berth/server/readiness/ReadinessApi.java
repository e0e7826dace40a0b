package io.berth.server.readiness;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.berth.oci.ErrorCode;
import io.berth.server.http.Exchange;
import io.berth.server.http.Reply;
import io.vertx.core.Future;

/**
 * {@code /readyz} and the read-only mode's admin API.
 * <ul>
 * <li>{@code GET /readyz} (public): 200 when the last checks passed, else 503; always
 *     {@code {"ready", "readOnly", "reasons": [...], "checkedAt", "freeBytes", "minFreeBytes", "checks": [{"name",
 *     "ok", "detail"}]}}. Answered from the last check, without touching the disk or the database. The operator's
 *     read-only mode alone keeps it 200 (reads are served).</li>
 * <li>{@code GET /api/v1/admin/read-only}: {@code {"readOnly", "reason", "manual": {"reason", "since"} | null,
 *     "automatic": [...]}}.</li>
 * <li>{@code POST /api/v1/admin/read-only?enabled=true&reason=…} / {@code ?enabled=false}: switches the operator's mode;
 *     answers as GET. The automatic mode cannot be switched off: it ends when its cause does.</li>
 * </ul>
 */
public final class ReadinessApi {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int MAX_REASON = 500;

    private final ReadinessProbe probe;
    private final WriteAccess writes;

    public ReadinessApi(ReadinessProbe probe, WriteAccess writes) {
        this.probe = probe;
        this.writes = writes;
    }

    /** {@code GET /readyz}. */
    public Future<Reply> ready(Exchange exchange) {
        ReadinessProbe.Status status = probe.status();
        ObjectNode body = JSON.createObjectNode()
                .put("ready", status.ready())
                .put("readOnly", writes.refusal().isPresent());
        ArrayNode reasons = body.putArray("reasons");
        status.reasons().forEach(reasons::add);
        writes.manual().ifPresent(m -> reasons.add("the operator made it read-only: " + m.reason()));
        body.put("checkedAt", status.checkedAt().toString())
                .put("freeBytes", status.freeBytes())
                .put("minFreeBytes", probe.config().minFreeSpace());
        ArrayNode checks = body.putArray("checks");
        status.checks().forEach(c -> checks.addObject().put("name", c.name()).put("ok", c.ok()).put("detail", c.detail()));
        return Future.succeededFuture(json(status.ready() ? 200 : 503, body));
    }

    /** {@code GET /api/v1/admin/read-only}. */
    public Future<Reply> readOnly(Exchange exchange) {
        return Future.succeededFuture(json(200, state()));
    }

    /** {@code POST /api/v1/admin/read-only}. */
    public Future<Reply> setReadOnly(Exchange exchange) {
        boolean enabled = exchange.query("enabled").map(value -> switch (value) {
            case "true", "1" -> true;
            case "false", "0" -> false;
            default -> throw ErrorCode.UNSUPPORTED.exception(400, "enabled must be true or false, was '" + value + "'");
        }).orElseThrow(() -> ErrorCode.UNSUPPORTED.exception(400, "the enabled parameter is required: ?enabled=true"
                + " (with &reason=…) or ?enabled=false"));
        String reason = exchange.query("reason").map(String::strip).filter(r -> !r.isEmpty())
                .map(r -> r.length() > MAX_REASON ? r.substring(0, MAX_REASON) : r)
                .orElse("switched on by " + exchange.actor() + " through the admin API");
        return exchange.blocking(() -> { // the switch is the database's, for every node
            writes.setManual(enabled, reason);
            return json(200, state());
        });
    }

    private ObjectNode state() {
        ObjectNode body = JSON.createObjectNode().put("readOnly", writes.refusal().isPresent());
        writes.refusal().ifPresentOrElse(r -> body.put("reason", r), () -> body.putNull("reason"));
        writes.manual().ifPresentOrElse(m -> body.putObject("manual").put("reason", m.reason())
                .put("since", m.since().toString()), () -> body.putNull("manual"));
        ArrayNode automatic = body.putArray("automatic");
        writes.automatic().forEach(automatic::add);
        return body;
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
