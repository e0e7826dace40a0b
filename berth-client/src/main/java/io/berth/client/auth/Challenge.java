package io.berth.client.auth;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * One {@code WWW-Authenticate} challenge (RFC 9110 section 11.6.1): a scheme and its parameters, e.g.
 * {@code Bearer realm="https://auth.example/token",service="registry.example",scope="repository:a/b:pull,push"}.
 * Quoted values may contain commas and escaped quotes.
 */
record Challenge(String scheme, Map<String, String> parameters) {
    Challenge {
        parameters = Map.copyOf(parameters);
    }

    boolean isBearer() {
        return scheme.equalsIgnoreCase("bearer");
    }

    boolean isBasic() {
        return scheme.equalsIgnoreCase("basic");
    }

    Optional<String> parameter(String name) {
        return Optional.ofNullable(parameters.get(name));
    }

    /** Parses the first challenge of the header value; empty for an empty or malformed header. */
    static Optional<Challenge> parse(String header) {
        if (header == null || header.isBlank()) {
            return Optional.empty();
        }
        String text = header.trim();
        int space = text.indexOf(' ');
        String scheme = space < 0 ? text : text.substring(0, space);
        Map<String, String> params = new LinkedHashMap<>();
        int i = space < 0 ? text.length() : space + 1;
        while (i < text.length()) {
            while (i < text.length() && (text.charAt(i) == ' ' || text.charAt(i) == ',')) {
                i++;
            }
            int eq = text.indexOf('=', i);
            if (eq < 0) {
                break;
            }
            String name = text.substring(i, eq).trim().toLowerCase(Locale.ROOT);
            i = eq + 1;
            StringBuilder value = new StringBuilder();
            if (i < text.length() && text.charAt(i) == '"') {
                i++;
                while (i < text.length() && text.charAt(i) != '"') {
                    if (text.charAt(i) == '\\' && i + 1 < text.length()) {
                        i++;
                    }
                    value.append(text.charAt(i++));
                }
                i++;
            } else {
                while (i < text.length() && text.charAt(i) != ',') {
                    value.append(text.charAt(i++));
                }
            }
            if (name.contains(" ")) {
                break; // the start of a second challenge: only the first one is read
            }
            params.put(name, value.toString().trim());
        }
        return Optional.of(new Challenge(scheme, params));
    }
}
