package io.berth.server.config;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/** Reading the configuration file's sections: what the settings parsers of events, policies and retention share. */
final class YamlNodes {
    private YamlNodes() {
    }

    /** Every key of {@code node} is one of {@code known}; each other one is a problem at {@code path}. */
    static void unknownKeys(JsonNode node, Set<String> known, String path, List<String> problems) {
        node.fieldNames().forEachRemaining(key -> {
            if (!known.contains(key)) {
                problems.add(path + ": unknown key '" + key + "' (known: " + known.stream().sorted().toList() + ")");
            }
        });
    }

    /** The text of a scalar {@code key}; empty when it is missing, null or a list or mapping. */
    static Optional<String> text(JsonNode node, String key) {
        JsonNode value = node.get(key);
        return value == null || value.isNull() || value.isContainerNode() ? Optional.empty() : Optional.of(value.asText());
    }

    /** A list of strings; a single string counts as a list of one; each item that is no string is a problem. */
    static List<String> strings(JsonNode node, String key, String path, List<String> problems) {
        JsonNode value = node.get(key);
        List<String> values = new ArrayList<>();
        if (value == null || value.isNull()) {
            return values;
        }
        if (value.isValueNode()) {
            values.add(value.asText());
        } else if (value.isArray()) {
            value.forEach(item -> {
                if (item.isValueNode()) {
                    values.add(item.asText());
                } else {
                    problems.add(path + "." + key + " must be a list of strings");
                }
            });
        } else {
            problems.add(path + "." + key + " must be a list of strings");
        }
        return values;
    }
}
