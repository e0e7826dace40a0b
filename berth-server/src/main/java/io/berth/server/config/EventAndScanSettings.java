package io.berth.server.config;

import static io.berth.server.config.YamlNodes.strings;
import static io.berth.server.config.YamlNodes.text;
import static io.berth.server.config.YamlNodes.unknownKeys;

import com.fasterxml.jackson.databind.JsonNode;
import io.berth.server.event.Action;
import io.berth.server.event.EndpointConfig;
import io.berth.server.event.EventFormat;
import io.berth.server.event.EventsConfig;
import io.berth.server.event.RepositoryGlob;
import io.berth.server.scan.ScannerConfig;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;

/**
 * Reads the {@code events} and {@code scanners} sections of the YAML file, reporting each problem with its path
 * ({@code events.endpoints[1].format: …}).
 *
 * <pre>
 * events:
 *   pull: false                       # BERTH_EVENTS_PULL: also record pulls
 *   endpoints:
 *     - name: ci                      # required, unique
 *       url: https://ci.example.com/hooks/berth
 *       headers: {Authorization: Bearer s3cret}
 *       format: distribution          # or cloudevents
 *       repositories: ["samples/**"]  # globs; none = all
 *       actions: [push, delete]       # push, pull, delete; none = all
 *       types: [oci-image, helm-chart]  # catalog type ids; none = all
 *       timeoutMillis: 5000
 *       backoffMillis: 1000           # first retry delay, doubled per failure …
 *       maxBackoffMillis: 300000      # … up to this
 *       maxRetries: 100               # then give up on the event; unset = never
 * scanners:
 *   - name: trivy                     # required, unique
 *     url: http://trivy-adapter:8080  # Harbor scanner adapter API v1.2
 *     types: [oci-image, docker-image]  # none = every type of scanner category image
 *     authorization: Basic dXNlcjpwYXNz # handed to the adapter to pull from Berth
 *     adapterAuthorization: Bearer xyz  # sent to the adapter
 *     registryUrl: http://berth.internal:5000  # how the adapter reaches Berth
 * </pre>
 */
final class EventAndScanSettings {
    private static final Set<String> EVENTS_KEYS = Set.of("pull", "endpoints");
    private static final Set<String> ENDPOINT_KEYS = Set.of("name", "url", "headers", "format", "repositories", "actions",
            "types", "timeoutMillis", "backoffMillis", "maxBackoffMillis", "maxRetries");
    private static final Set<String> SCANNER_KEYS = Set.of("name", "url", "types", "authorization",
            "adapterAuthorization", "registryUrl");

    private EventAndScanSettings() {
    }

    /** The {@code events} section ({@code null} when absent) with {@code pull} as the layers resolved it. */
    static EventsConfig events(JsonNode section, boolean pull, List<String> problems) {
        List<EndpointConfig> endpoints = new ArrayList<>();
        if (section != null && !section.isNull()) {
            if (!section.isObject()) {
                problems.add("events must be a mapping");
                return EventsConfig.NONE;
            }
            unknownKeys(section, EVENTS_KEYS, "events", problems);
            JsonNode list = section.path("endpoints");
            if (!list.isMissingNode() && !list.isNull() && !list.isArray()) {
                problems.add("events.endpoints must be a list");
            }
            for (int i = 0; list.isArray() && i < list.size(); i++) {
                endpoint(list.get(i), "events.endpoints[" + i + "]", problems).ifPresent(endpoints::add);
            }
        }
        try {
            return new EventsConfig(endpoints, pull);
        } catch (IllegalArgumentException e) {
            problems.add("events.endpoints: " + e.getMessage());
            return EventsConfig.NONE;
        }
    }

    private static Optional<EndpointConfig> endpoint(JsonNode node, String path, List<String> problems) {
        if (!node.isObject()) {
            problems.add(path + " must be a mapping");
            return Optional.empty();
        }
        int before = problems.size();
        unknownKeys(node, ENDPOINT_KEYS, path, problems);
        String name = text(node, "name").orElse(null);
        URI url = uri(node, "url", path, problems).orElse(null);
        if (url == null && problems.size() == before) {
            problems.add(path + ".url is required");
        }
        EventFormat format = text(node, "format").map(id -> EventFormat.fromId(id).orElseGet(() -> {
            problems.add(path + ".format must be distribution or cloudevents, was '" + id + "'");
            return null;
        })).orElse(EventFormat.DISTRIBUTION);
        Map<String, String> headers = headers(node.path("headers"), path + ".headers", problems);
        List<RepositoryGlob> repositories = new ArrayList<>();
        for (String glob : strings(node, "repositories", path, problems)) {
            try {
                repositories.add(RepositoryGlob.of(glob));
            } catch (IllegalArgumentException e) {
                problems.add(path + ".repositories: " + e.getMessage());
            }
        }
        Set<Action> actions = new LinkedHashSet<>();
        for (String id : strings(node, "actions", path, problems)) {
            Action.fromId(id).ifPresentOrElse(actions::add,
                    () -> problems.add(path + ".actions: unknown action '" + id + "' (known: push, pull, delete)"));
        }
        Set<String> types = new LinkedHashSet<>(strings(node, "types", path, problems));
        Duration timeout = millis(node, "timeoutMillis", path, problems).orElse(EndpointConfig.DEFAULT_TIMEOUT);
        Duration backoff = millis(node, "backoffMillis", path, problems).orElse(EndpointConfig.DEFAULT_BACKOFF);
        Duration maxBackoff = millis(node, "maxBackoffMillis", path, problems).orElse(EndpointConfig.DEFAULT_MAX_BACKOFF);
        OptionalInt maxRetries = integer(node, "maxRetries", path, problems).map(OptionalInt::of).orElse(OptionalInt.empty());
        if (problems.size() > before) {
            return Optional.empty();
        }
        try {
            return Optional.of(new EndpointConfig(name, url, headers, format, repositories, actions, types, timeout,
                    backoff, maxBackoff, maxRetries));
        } catch (IllegalArgumentException e) {
            problems.add(path + ": " + e.getMessage());
            return Optional.empty();
        }
    }

    /** The {@code scanners} section; {@code null} when absent. */
    static List<ScannerConfig> scanners(JsonNode section, List<String> problems) {
        List<ScannerConfig> scanners = new ArrayList<>();
        if (section == null || section.isNull()) {
            return scanners;
        }
        if (!section.isArray()) {
            problems.add("scanners must be a list");
            return scanners;
        }
        List<String> names = new ArrayList<>();
        for (int i = 0; i < section.size(); i++) {
            String path = "scanners[" + i + "]";
            JsonNode node = section.get(i);
            if (!node.isObject()) {
                problems.add(path + " must be a mapping");
                continue;
            }
            int before = problems.size();
            unknownKeys(node, SCANNER_KEYS, path, problems);
            Optional<URI> url = uri(node, "url", path, problems);
            if (url.isEmpty() && problems.size() == before) {
                problems.add(path + ".url is required");
            }
            List<String> types = strings(node, "types", path, problems);
            Optional<URI> registryUrl = uri(node, "registryUrl", path, problems);
            if (problems.size() > before) {
                continue;
            }
            try {
                ScannerConfig scanner = new ScannerConfig(text(node, "name").orElse(null), url.get(), types,
                        text(node, "authorization"), text(node, "adapterAuthorization"), registryUrl);
                if (names.contains(scanner.name())) {
                    problems.add(path + ": another scanner is already named " + scanner.name());
                } else {
                    names.add(scanner.name());
                    scanners.add(scanner);
                }
            } catch (IllegalArgumentException e) {
                problems.add(path + ": " + e.getMessage());
            }
        }
        return scanners;
    }

    private static Optional<URI> uri(JsonNode node, String key, String path, List<String> problems) {
        return text(node, key).flatMap(value -> {
            try {
                return Optional.of(new URI(value));
            } catch (java.net.URISyntaxException e) {
                problems.add(path + "." + key + " is not a URL: " + e.getMessage());
                return Optional.empty();
            }
        });
    }
    /** Header names to values; a list of values (Distribution's style) is joined with ", ". */
    private static Map<String, String> headers(JsonNode node, String path, List<String> problems) {
        Map<String, String> headers = new LinkedHashMap<>();
        if (node.isMissingNode() || node.isNull()) {
            return headers;
        }
        if (!node.isObject()) {
            problems.add(path + " must be a mapping of header names to values");
            return headers;
        }
        node.fields().forEachRemaining(entry -> {
            JsonNode value = entry.getValue();
            if (value.isValueNode()) {
                headers.put(entry.getKey(), value.asText());
            } else if (value.isArray()) {
                List<String> values = new ArrayList<>();
                value.forEach(item -> values.add(item.asText()));
                headers.put(entry.getKey(), String.join(", ", values));
            } else {
                problems.add(path + "." + entry.getKey() + " must be a string or a list of strings");
            }
        });
        return headers;
    }

    private static Optional<Integer> integer(JsonNode node, String key, String path, List<String> problems) {
        return text(node, key).flatMap(value -> {
            try {
                return Optional.of(Integer.parseInt(value.trim()));
            } catch (NumberFormatException e) {
                problems.add(path + "." + key + " must be a whole number, was '" + value + "'");
                return Optional.empty();
            }
        });
    }

    private static Optional<Duration> millis(JsonNode node, String key, String path, List<String> problems) {
        return integer(node, key, path, problems).map(Duration::ofMillis);
    }
}
