package io.berth.server.event;

import java.util.ArrayList;
import java.util.List;

/**
 * The {@code events} section: the endpoints events are delivered to, and whether pulls produce events (off by
 * default: every pull would be a database write).
 */
public record EventsConfig(List<EndpointConfig> endpoints, boolean pull) {
    public static final EventsConfig NONE = new EventsConfig(List.of(), false);

    public EventsConfig {
        endpoints = List.copyOf(endpoints);
        List<String> names = new ArrayList<>();
        for (EndpointConfig endpoint : endpoints) {
            if (names.contains(endpoint.name())) {
                throw new IllegalArgumentException("two event endpoints are named " + endpoint.name());
            }
            names.add(endpoint.name());
        }
    }

    public EventsConfig withEndpoint(EndpointConfig endpoint) {
        List<EndpointConfig> more = new ArrayList<>(endpoints);
        more.add(endpoint);
        return new EventsConfig(more, pull);
    }

    public EventsConfig withPull(boolean pull) {
        return new EventsConfig(endpoints, pull);
    }
}
