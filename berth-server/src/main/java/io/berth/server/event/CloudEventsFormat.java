package io.berth.server.event;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.berth.server.meta.RequestContext;

/**
 * A CloudEvents 1.0 event in structured mode ({@code application/cloudevents+json}):
 *
 * <pre>
 * {"specversion":"1.0", "id", "source":"berth://host:port", "type":"io.berth.artifact.pushed",
 *  "subject":"repository:tag" or "repository@digest", "time", "datacontenttype":"application/json",
 *  "data":{"action","repository","reference","tag","digest","mediaType","size","artifactType",
 *          "type":{"id","title"},"subject","url","request":{…},"actor":{"name"},"instanceID"}}
 * </pre>
 *
 * Types: {@code io.berth.artifact.pushed|pulled|deleted}, {@code io.berth.tag.deleted}, {@code io.berth.blob.deleted}.
 * The top-level {@code subject} names the artifact; {@code data.subject} is the OCI subject of a referrer.
 */
final class CloudEventsFormat {
    private CloudEventsFormat() {
    }

    static ObjectNode event(Event event) {
        Event.Target target = event.target();
        String reference = target.tag().map(tag -> ":" + tag).orElse("@" + target.digest());
        ObjectNode node = EventFormat.MAPPER.createObjectNode()
                .put("specversion", "1.0")
                .put("id", event.id())
                .put("source", "berth://" + event.source().addr())
                .put("type", event.cloudEventsType())
                .put("subject", target.repository().name() + reference)
                .put("time", event.timestamp().toString())
                .put("datacontenttype", "application/json");
        ObjectNode data = node.putObject("data")
                .put("action", event.action().id())
                .put("repository", target.repository().name())
                .put("reference", target.reference());
        target.tag().ifPresent(tag -> data.put("tag", tag));
        data.put("digest", target.digest().toString()).put("mediaType", target.mediaType()).put("size", target.size());
        target.artifactType().ifPresent(type -> data.put("artifactType", type));
        target.type().ifPresent(type -> data.putObject("type").put("id", type.id()).put("title", type.title()));
        target.subject().ifPresent(subject -> data.put("subject", subject.toString()));
        target.url(event.request()).ifPresent(url -> data.put("url", url));
        RequestContext request = event.request();
        data.putObject("request")
                .put("id", request.id())
                .put("addr", request.addr())
                .put("host", request.host())
                .put("method", request.method())
                .put("useragent", request.userAgent());
        data.putObject("actor").put("name", request.actor());
        data.put("instanceID", event.source().instanceId());
        return node;
    }
}
