package io.berth.server.event;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.berth.server.meta.RequestContext;

/**
 * CNCF Distribution's notification envelope (its {@code notifications/event.go}), so that listeners written for
 * Distribution read Berth's events unchanged:
 *
 * <pre>
 * {"events":[{"id","timestamp","action",
 *             "target":{"mediaType","size","digest","length","repository","url","tag"},
 *             "request":{"id","addr","host","method","useragent"},
 *             "actor":{"name"},
 *             "source":{"addr","instanceID"}}]}
 * </pre>
 *
 * Berth adds to {@code target}: {@code artifactType}, {@code type: {id, title}} and {@code subject}.
 */
final class DistributionFormat {
    private DistributionFormat() {
    }

    static ObjectNode envelope(Event event) {
        ObjectNode envelope = EventFormat.MAPPER.createObjectNode();
        ObjectNode node = envelope.putArray("events").addObject()
                .put("id", event.id())
                .put("timestamp", event.timestamp().toString())
                .put("action", event.action().id());
        Event.Target target = event.target();
        ObjectNode t = node.putObject("target")
                .put("mediaType", target.mediaType())
                .put("size", target.size())
                .put("digest", target.digest().toString())
                .put("length", target.size())
                .put("repository", target.repository().name());
        target.url(event.request()).ifPresent(url -> t.put("url", url));
        target.tag().ifPresent(tag -> t.put("tag", tag));
        target.artifactType().ifPresent(type -> t.put("artifactType", type));
        target.type().ifPresent(type -> t.putObject("type").put("id", type.id()).put("title", type.title()));
        target.subject().ifPresent(subject -> t.put("subject", subject.toString()));
        RequestContext request = event.request();
        node.putObject("request")
                .put("id", request.id())
                .put("addr", request.addr())
                .put("host", request.host())
                .put("method", request.method())
                .put("useragent", request.userAgent());
        node.putObject("actor").put("name", request.actor());
        node.putObject("source").put("addr", event.source().addr()).put("instanceID", event.source().instanceId());
        return envelope;
    }
}
