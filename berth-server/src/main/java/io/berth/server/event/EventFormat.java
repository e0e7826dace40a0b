package io.berth.server.event;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Locale;
import java.util.Optional;

/** How an endpoint wants events: the JSON body and its content type. */
public enum EventFormat {
    /**
     * CNCF Distribution's notification envelope {@code {"events":[…]}}, one event per request, plus Berth's fields
     * ({@code target.artifactType}, {@code target.type}, {@code target.subject}).
     */
    DISTRIBUTION("application/vnd.docker.distribution.events.v1+json") {
        @Override
        ObjectNode json(Event event) {
            return DistributionFormat.envelope(event);
        }
    },
    /** A CloudEvents 1.0 event in structured mode, {@code type} {@code io.berth.<artifact|tag|blob>.<action>}. */
    CLOUDEVENTS("application/cloudevents+json") {
        @Override
        ObjectNode json(Event event) {
            return CloudEventsFormat.event(event);
        }
    };

    static final ObjectMapper MAPPER = new ObjectMapper();

    private final String contentType;

    EventFormat(String contentType) {
        this.contentType = contentType;
    }

    public String contentType() {
        return contentType;
    }

    /** {@code distribution} or {@code cloudevents}, as configured. */
    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Optional<EventFormat> fromId(String id) {
        for (EventFormat format : values()) {
            if (format.id().equals(id)) {
                return Optional.of(format);
            }
        }
        return Optional.empty();
    }

    abstract ObjectNode json(Event event);

    /** The request body for {@code event}. */
    public byte[] render(Event event) {
        try {
            return MAPPER.writeValueAsBytes(json(event));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
