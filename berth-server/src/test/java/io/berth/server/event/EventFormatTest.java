package io.berth.server.event;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.berth.oci.Digest;
import io.berth.oci.Repository;
import io.berth.server.meta.RequestContext;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The two wire formats of an event, field by field. */
class EventFormatTest {
    static final ObjectMapper JSON = new ObjectMapper();
    static final Digest INDEX = Digest.sha256("index".getBytes(StandardCharsets.UTF_8));
    static final Digest SBOM = Digest.sha256("sbom".getBytes(StandardCharsets.UTF_8));
    static final RequestContext REQUEST = new RequestContext("req-1", "10.0.0.7:51234", "registry.example:5000", "PUT",
            "oras/1.2", RequestContext.ANONYMOUS);
    static final Event.Source SOURCE = new Event.Source("berth-1:5000", "instance-1");

    static Event sbomPush() {
        return new Event("event-1", Instant.parse("2025-01-02T03:04:05.678Z"), Action.PUSH,
                new Event.Target(Event.Kind.ARTIFACT, Repository.of("samples/image/hello-world"), Optional.empty(), SBOM,
                        "application/vnd.oci.image.manifest.v1+json", 512, Optional.of("application/spdx+json"),
                        Optional.of(new Event.TypeRef("spdx-sbom", "SPDX SBOM")), Optional.of(INDEX)),
                REQUEST, SOURCE);
    }

    static JsonNode render(EventFormat format, Event event) throws IOException {
        return JSON.readTree(format.render(event));
    }

    @Test
    void distributionIsTheCncfEnvelopeWithBerthsFieldsInTarget() throws IOException {
        JsonNode envelope = render(EventFormat.DISTRIBUTION, sbomPush());

        assertThat(EventFormat.DISTRIBUTION.contentType()).isEqualTo("application/vnd.docker.distribution.events.v1+json");
        assertThat(envelope.get("events")).hasSize(1);
        JsonNode event = envelope.get("events").get(0);
        assertThat(event.get("id").asText()).isEqualTo("event-1");
        assertThat(event.get("timestamp").asText()).isEqualTo("2025-01-02T03:04:05.678Z");
        assertThat(event.get("action").asText()).isEqualTo("push");
        JsonNode target = event.get("target");
        assertThat(target.get("mediaType").asText()).isEqualTo("application/vnd.oci.image.manifest.v1+json");
        assertThat(target.get("size").asLong()).isEqualTo(512);
        assertThat(target.get("length").asLong()).isEqualTo(512);
        assertThat(target.get("digest").asText()).isEqualTo(SBOM.toString());
        assertThat(target.get("repository").asText()).isEqualTo("samples/image/hello-world");
        assertThat(target.get("url").asText())
                .isEqualTo("http://registry.example:5000/v2/samples/image/hello-world/manifests/" + SBOM);
        assertThat(target.has("tag")).isFalse();
        assertThat(target.get("artifactType").asText()).isEqualTo("application/spdx+json");
        assertThat(target.at("/type/id").asText()).isEqualTo("spdx-sbom");
        assertThat(target.at("/type/title").asText()).isEqualTo("SPDX SBOM");
        assertThat(target.get("subject").asText()).isEqualTo(INDEX.toString());
        assertThat(event.at("/request/id").asText()).isEqualTo("req-1");
        assertThat(event.at("/request/addr").asText()).isEqualTo("10.0.0.7:51234");
        assertThat(event.at("/request/host").asText()).isEqualTo("registry.example:5000");
        assertThat(event.at("/request/method").asText()).isEqualTo("PUT");
        assertThat(event.at("/request/useragent").asText()).isEqualTo("oras/1.2");
        assertThat(event.at("/actor/name").asText()).isEqualTo("anonymous");
        assertThat(event.at("/source/addr").asText()).isEqualTo("berth-1:5000");
        assertThat(event.at("/source/instanceID").asText()).isEqualTo("instance-1");
    }

    @Test
    void cloudEventsIsAStructuredCloudEvent() throws IOException {
        JsonNode event = render(EventFormat.CLOUDEVENTS, sbomPush());

        assertThat(EventFormat.CLOUDEVENTS.contentType()).isEqualTo("application/cloudevents+json");
        assertThat(event.get("specversion").asText()).isEqualTo("1.0");
        assertThat(event.get("id").asText()).isEqualTo("event-1");
        assertThat(event.get("source").asText()).isEqualTo("berth://berth-1:5000");
        assertThat(event.get("type").asText()).isEqualTo("io.berth.artifact.pushed");
        assertThat(event.get("subject").asText()).isEqualTo("samples/image/hello-world@" + SBOM);
        assertThat(event.get("time").asText()).isEqualTo("2025-01-02T03:04:05.678Z");
        assertThat(event.get("datacontenttype").asText()).isEqualTo("application/json");
        JsonNode data = event.get("data");
        assertThat(data.get("action").asText()).isEqualTo("push");
        assertThat(data.get("repository").asText()).isEqualTo("samples/image/hello-world");
        assertThat(data.get("reference").asText()).isEqualTo(SBOM.toString());
        assertThat(data.get("digest").asText()).isEqualTo(SBOM.toString());
        assertThat(data.get("mediaType").asText()).isEqualTo("application/vnd.oci.image.manifest.v1+json");
        assertThat(data.get("size").asLong()).isEqualTo(512);
        assertThat(data.get("artifactType").asText()).isEqualTo("application/spdx+json");
        assertThat(data.at("/type/id").asText()).isEqualTo("spdx-sbom");
        assertThat(data.get("subject").asText()).isEqualTo(INDEX.toString());
        assertThat(data.at("/actor/name").asText()).isEqualTo("anonymous");
        assertThat(data.at("/request/id").asText()).isEqualTo("req-1");
        assertThat(data.get("instanceID").asText()).isEqualTo("instance-1");
    }

    @Test
    void cloudEventTypesNameWhatTheEventIsAbout() {
        Event push = sbomPush();
        Event.Target tag = new Event.Target(Event.Kind.TAG, push.target().repository(), Optional.of("1.0"), INDEX,
                "application/vnd.oci.image.index.v1+json", 300, Optional.empty(), Optional.empty(), Optional.empty());
        Event.Target blob = new Event.Target(Event.Kind.BLOB, push.target().repository(), Optional.empty(), INDEX,
                "application/octet-stream", 300, Optional.empty(), Optional.empty(), Optional.empty());

        assertThat(push.cloudEventsType()).isEqualTo("io.berth.artifact.pushed");
        assertThat(new Event("e", push.timestamp(), Action.PULL, push.target(), REQUEST, SOURCE).cloudEventsType())
                .isEqualTo("io.berth.artifact.pulled");
        assertThat(new Event("e", push.timestamp(), Action.DELETE, tag, REQUEST, SOURCE).cloudEventsType())
                .isEqualTo("io.berth.tag.deleted");
        assertThat(new Event("e", push.timestamp(), Action.DELETE, blob, REQUEST, SOURCE).cloudEventsType())
                .isEqualTo("io.berth.blob.deleted");
        assertThat(blob.url(REQUEST)).contains("http://registry.example:5000/v2/samples/image/hello-world/blobs/" + INDEX);
        assertThat(tag.reference()).isEqualTo("1.0");
    }

    @Test
    void anEventNoRequestCausedHasNoUrlAndEmptyRequestFields() throws IOException {
        Event push = sbomPush();
        Event internal = new Event("e", push.timestamp(), Action.PUSH, push.target(), RequestContext.INTERNAL, SOURCE);

        JsonNode event = render(EventFormat.DISTRIBUTION, internal).get("events").get(0);

        assertThat(event.at("/target/url").isMissingNode()).isTrue();
        assertThat(event.at("/request/id").asText()).isEmpty();
        assertThat(event.at("/actor/name").asText()).isEqualTo("berth");
    }
}
