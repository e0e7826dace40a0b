package io.berth.server.http;

import io.berth.oci.Endpoint;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The path part of a {@link Route}: a spec {@link Endpoint} of {@code /v2/} (matched by {@link Endpoint#match}), an
 * exact path ({@code /healthz}), a path with one-segment variables ({@code /api/v1/types/{type}/icon.svg}), or
 * everything under a prefix ({@code /ui/**}).
 */
public sealed interface PathPattern {
    /** As written in the route table and the docs. */
    String template();

    /** The variables when {@code path} matches, else null. Not used for spec endpoints, which the router matches first. */
    PathVariables match(String path);

    static PathPattern of(Endpoint endpoint) {
        return new Spec(endpoint);
    }

    /** Parses a template: {@code /a/b}, {@code /a/{x}/c}, or {@code /a/**}. */
    static PathPattern of(String template) {
        if (!template.startsWith("/")) {
            throw new IllegalArgumentException("a path template starts with /: " + template);
        }
        if (template.endsWith("/**")) {
            return new Prefix(template.substring(0, template.length() - 2));
        }
        return template.contains("{") ? new Segments(template, List.of(template.split("/", -1))) : new Exact(template);
    }

    /** A spec endpoint under {@code /v2/}. */
    record Spec(Endpoint endpoint) implements PathPattern {
        @Override
        public String template() {
            return endpoint.template();
        }

        @Override
        public PathVariables match(String path) {
            return Endpoint.match(path).filter(m -> m.endpoint() == endpoint).<PathVariables>map(m -> m::variable).orElse(null);
        }
    }

    /** Exactly this path. */
    record Exact(String path) implements PathPattern {
        @Override
        public String template() {
            return path;
        }

        @Override
        public PathVariables match(String candidate) {
            return candidate.equals(path) ? PathVariables.NONE : null;
        }
    }

    /** Every path under {@code prefix}, which ends with {@code /}. */
    record Prefix(String prefix) implements PathPattern {
        @Override
        public String template() {
            return prefix + "**";
        }

        @Override
        public PathVariables match(String path) {
            return path.startsWith(prefix) ? PathVariables.NONE : null;
        }
    }

    /** Paths of as many segments as the template, each equal to it or, for {@code {variable}}, not empty. */
    record Segments(String template, List<String> segments) implements PathPattern {
        @Override
        public PathVariables match(String path) {
            String[] parts = path.split("/", -1);
            if (parts.length != segments.size()) {
                return null;
            }
            Map<String, String> variables = new HashMap<>();
            for (int i = 0; i < parts.length; i++) {
                String segment = segments.get(i);
                if (segment.startsWith("{")) {
                    if (parts[i].isEmpty()) {
                        return null;
                    }
                    variables.put(segment.substring(1, segment.length() - 1), parts[i]);
                } else if (!segment.equals(parts[i])) {
                    return null;
                }
            }
            return name -> {
                String value = variables.get(name);
                if (value == null) {
                    throw new IllegalArgumentException("the path has no variable " + name);
                }
                return value;
            };
        }
    }
}
