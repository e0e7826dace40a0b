package io.berth.server.event;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.berth.server.http.Exchange;
import io.berth.server.http.Reply;
import io.vertx.core.Future;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * How event delivery is going. {@code GET /api/v1/events/endpoints}: per endpoint its pending count, totals, the
 * last success and the last failure with its error, and the failed attempts on the event now at the head of its
 * queue — also for endpoints that were removed from the configuration while events for them were pending.
 * {@code GET /api/v1/events/metrics}: the same counts in the Prometheus text format.
 */
public final class EventsApi {
    private final List<EndpointConfig> endpoints;
    private final Outbox outbox;
    private final Clock clock;

    EventsApi(List<EndpointConfig> endpoints, Outbox outbox, Clock clock) {
        this.endpoints = endpoints;
        this.outbox = outbox;
        this.clock = clock;
    }

    /** {@code GET /api/v1/events/endpoints}. */
    public Future<Reply> endpoints(Exchange exchange) {
        return exchange.blocking(this::endpoints);
    }

    /** {@code GET /api/v1/events/metrics}. */
    public Future<Reply> metrics(Exchange exchange) {
        return exchange.blocking(this::metrics);
    }

    /**
     * Blocking: each endpoint's delivery record by name, as {@link #endpoints} and {@link #metrics} show it: what the
     * registry's metrics report as the outbox.
     */
    public Map<String, Outbox.Status> statuses() {
        Map<String, Outbox.Status> statuses = new LinkedHashMap<>();
        known().keySet().forEach(name -> statuses.put(name, outbox.status(name)));
        return statuses;
    }

    /** Each endpoint's status: the configured ones in configuration order, then removed ones with pending events. */
    private Map<String, Optional<EndpointConfig>> known() {
        Map<String, Optional<EndpointConfig>> known = new LinkedHashMap<>();
        endpoints.forEach(endpoint -> known.put(endpoint.name(), Optional.of(endpoint)));
        outbox.endpointsWithPending().forEach(name -> known.putIfAbsent(name, Optional.empty()));
        return known;
    }

    private Reply endpoints() {
        ObjectNode body = EventFormat.MAPPER.createObjectNode();
        ArrayNode list = body.putArray("endpoints");
        known().forEach((name, config) -> {
            Outbox.Status status = outbox.status(name);
            ObjectNode node = list.addObject().put("name", name).put("configured", config.isPresent());
            config.ifPresent(c -> node.put("url", c.displayUrl()).put("format", c.format().id()));
            node.put("pending", status.pending())
                    .put("delivered", status.delivered())
                    .put("abandoned", status.abandoned())
                    .put("failedAttempts", status.failedAttempts())
                    .put("attempts", status.attempts());
            putTime(node, "oldestPending", status.oldestPending());
            putTime(node, "lastSuccess", status.lastSuccess());
            putTime(node, "lastFailure", status.lastFailure());
            status.lastError().ifPresentOrElse(error -> node.put("lastError", error), () -> node.putNull("lastError"));
        });
        try {
            return Reply.status(200).header("Cache-Control", "no-store")
                    .bytes(EventFormat.MAPPER.writeValueAsBytes(body), "application/json");
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private Reply metrics() {
        Instant now = clock.instant();
        List<String> pending = new ArrayList<>();
        List<String> delivered = new ArrayList<>();
        List<String> failed = new ArrayList<>();
        List<String> abandoned = new ArrayList<>();
        List<String> age = new ArrayList<>();
        known().keySet().forEach(name -> {
            Outbox.Status status = outbox.status(name);
            String label = "{endpoint=\"" + name + "\"} ";
            pending.add("berth_events_pending" + label + status.pending());
            delivered.add("berth_events_delivered_total" + label + status.delivered());
            failed.add("berth_events_failed_attempts_total" + label + status.failedAttempts());
            abandoned.add("berth_events_abandoned" + label + status.abandoned());
            age.add("berth_events_oldest_pending_seconds" + label
                    + status.oldestPending().map(t -> Duration.between(t, now).toSeconds()).orElse(0L));
        });
        StringBuilder text = new StringBuilder();
        family(text, "berth_events_pending", "gauge", "Events waiting for delivery.", pending);
        family(text, "berth_events_delivered_total", "counter", "Events delivered.", delivered);
        family(text, "berth_events_failed_attempts_total", "counter", "Failed delivery attempts.", failed);
        family(text, "berth_events_abandoned", "gauge", "Events given up after maxRetries (kept 7 days).", abandoned);
        family(text, "berth_events_oldest_pending_seconds", "gauge", "Age of the oldest pending event.", age);
        return Reply.status(200).header("Cache-Control", "no-store")
                .bytes(text.toString().getBytes(StandardCharsets.UTF_8), "text/plain; version=0.0.4; charset=utf-8");
    }

    private static void family(StringBuilder text, String name, String type, String help, List<String> samples) {
        text.append("# HELP ").append(name).append(' ').append(help).append('\n')
                .append("# TYPE ").append(name).append(' ').append(type).append('\n');
        samples.forEach(sample -> text.append(sample).append('\n'));
    }

    private static void putTime(ObjectNode node, String field, Optional<Instant> time) {
        time.ifPresentOrElse(t -> node.put(field, t.toString()), () -> node.putNull(field));
    }
}
