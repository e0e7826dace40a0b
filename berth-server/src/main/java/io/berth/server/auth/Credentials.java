package io.berth.server.auth;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Optional;

/** What the {@code Authorization} header carries: nothing, basic credentials, a bearer token, or something unusable. */
sealed interface Credentials {
    record None() implements Credentials {
    }

    record Basic(String user, String password) implements Credentials {
        @Override
        public String toString() {
            return "Basic[user=" + user + "]";
        }
    }

    record Bearer(String token) implements Credentials {
        @Override
        public String toString() {
            return "Bearer[…]";
        }
    }

    record Malformed() implements Credentials {
    }

    static Credentials parse(Optional<String> header) {
        if (header.isEmpty() || header.get().isBlank()) {
            return new None();
        }
        String value = header.get().strip();
        int space = value.indexOf(' ');
        if (space < 0) {
            return new Malformed();
        }
        String scheme = value.substring(0, space);
        String rest = value.substring(space + 1).strip();
        if (scheme.equalsIgnoreCase("Bearer") && !rest.isEmpty()) {
            return new Bearer(rest);
        }
        if (scheme.equalsIgnoreCase("Basic")) {
            try {
                String decoded = new String(Base64.getDecoder().decode(rest), StandardCharsets.UTF_8);
                int colon = decoded.indexOf(':');
                if (colon > 0) {
                    return new Basic(decoded.substring(0, colon), decoded.substring(colon + 1));
                }
            } catch (IllegalArgumentException e) {
                return new Malformed();
            }
        }
        return new Malformed();
    }
}
