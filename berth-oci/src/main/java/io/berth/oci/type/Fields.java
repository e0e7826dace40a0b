package io.berth.oci.type;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/** Reading typed values out of one entry of a type file; anything wrong is an {@link Invalid} naming the field. */
final class Fields {
    private Fields() {
    }

    /** Why an entry (or part of it) cannot be used; caught per entry and turned into a {@link CatalogProblem}. */
    static final class Invalid extends Exception {
        Invalid(String message) {
            super(message, null, false, false);
        }
    }

    static void onlyKnown(JsonNode node, Set<String> known, String where) throws Invalid {
        for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
            String name = it.next();
            if (!known.contains(name)) {
                throw new Invalid("unknown field \"" + name + "\" in " + where + " (known: " + String.join(", ", sorted(known)) + ")");
            }
        }
    }

    static String required(JsonNode node, String field) throws Invalid {
        return optional(node, field).orElseThrow(() -> new Invalid("\"" + field + "\" is required"));
    }

    static Optional<String> optional(JsonNode node, String field) throws Invalid {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) {
            return Optional.empty();
        }
        if (!value.isTextual() || value.asText().isBlank()) {
            throw new Invalid("\"" + field + "\" must be a non-empty string");
        }
        return Optional.of(value.asText());
    }

    /** A string or an array of strings, as a non-empty list. */
    static List<String> strings(JsonNode value, String field) throws Invalid {
        List<String> result = new ArrayList<>();
        if (value.isTextual()) {
            result.add(value.asText());
        } else if (value.isArray()) {
            for (JsonNode item : value) {
                if (!item.isTextual()) {
                    throw new Invalid("\"" + field + "\" must be a string or an array of strings");
                }
                result.add(item.asText());
            }
        } else {
            throw new Invalid("\"" + field + "\" must be a string or an array of strings");
        }
        if (result.isEmpty() || result.stream().anyMatch(String::isBlank)) {
            throw new Invalid("\"" + field + "\" must not be empty");
        }
        return result;
    }

    /** The elements of an optional array field; empty when absent. */
    static List<JsonNode> array(JsonNode node, String field) throws Invalid {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) {
            return List.of();
        }
        if (!value.isArray()) {
            throw new Invalid("\"" + field + "\" must be an array");
        }
        List<JsonNode> items = new ArrayList<>();
        value.forEach(items::add);
        return items;
    }

    static JsonNode object(JsonNode value, String where) throws Invalid {
        if (value == null || !value.isObject()) {
            throw new Invalid(where + " must be an object");
        }
        return value;
    }

    /** An absolute {@code http} or {@code https} URL; anything else (e.g. {@code javascript:}) is refused. */
    static URI webUrl(String text, String field) throws Invalid {
        try {
            URI uri = new URI(text);
            String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(java.util.Locale.ROOT);
            if ((scheme.equals("http") || scheme.equals("https")) && uri.getHost() != null) {
                return uri;
            }
        } catch (URISyntaxException e) {
            // reported below
        }
        throw new Invalid("\"" + field + "\" must be an http(s) URL: " + text);
    }

    private static List<String> sorted(Set<String> names) {
        return names.stream().sorted().toList();
    }
}
