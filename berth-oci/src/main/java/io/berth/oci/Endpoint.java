package io.berth.oci;

import java.util.Arrays;
import java.util.EnumSet;
import java.util.Optional;
import java.util.Set;

/**
 * The distribution-spec's route table as data (spec section "Endpoints", end-1 … end-13). The server binds one
 * handler to each entry and the client builds its URLs from the same entries. Path variables: {@code name} (a
 * repository, which may contain {@code /}), {@code reference}, {@code digest}, {@code uuid}.
 */
public enum Endpoint {
    /** end-1: API version check. */
    BASE("/v2/", EnumSet.of(Method.GET, Method.HEAD)),
    /** Catalog listing (Docker Registry HTTP API V2, kept by every registry). */
    CATALOG("/v2/_catalog", EnumSet.of(Method.GET)),
    /** end-8a, end-8b: tags list. */
    TAGS("/v2/{name}/tags/list", EnumSet.of(Method.GET)),
    /** end-3, end-7, end-9: manifest pull, push and delete. */
    MANIFEST("/v2/{name}/manifests/{reference}", EnumSet.of(Method.GET, Method.HEAD, Method.PUT, Method.DELETE)),
    /** end-4a, end-4b, end-11: start an upload, single-POST push, mount. */
    UPLOADS("/v2/{name}/blobs/uploads/", EnumSet.of(Method.POST)),
    /** end-5, end-6, end-13 and upload cancel: chunk, finish, status, cancel. */
    UPLOAD("/v2/{name}/blobs/uploads/{uuid}", EnumSet.of(Method.GET, Method.PATCH, Method.PUT, Method.DELETE)),
    /** end-2, end-10: blob pull and delete. */
    BLOB("/v2/{name}/blobs/{digest}", EnumSet.of(Method.GET, Method.HEAD, Method.DELETE)),
    /** end-12a, end-12b: referrers. */
    REFERRERS("/v2/{name}/referrers/{digest}", EnumSet.of(Method.GET));

    /** The HTTP methods the spec uses. */
    public enum Method { GET, HEAD, PUT, POST, PATCH, DELETE }

    private static final Endpoint[] ALL = values();
    private static final String PREFIX = "/v2/";
    private static final String NAME = "{name}";

    private final String template;
    private final Set<Method> methods;
    /** The template's segments after {@code {name}/}, null for the variable one; null without a name. */
    private final String[] suffix;
    /** The variable among them ({@code reference}, {@code digest}, {@code uuid}), if any. */
    private final String variable;

    Endpoint(String template, Set<Method> methods) {
        this.template = template;
        this.methods = methods;
        int name = template.indexOf(NAME);
        String[] segments = name < 0 ? null : template.substring(name + NAME.length() + 1).split("/", -1);
        String found = null;
        for (int i = 0; segments != null && i < segments.length; i++) {
            if (segments[i].startsWith("{")) {
                found = segments[i].substring(1, segments[i].length() - 1);
                segments[i] = null;
            }
        }
        this.suffix = segments;
        this.variable = found;
    }

    public Set<Method> methods() {
        return methods;
    }

    public String template() {
        return template;
    }

    /**
     * A matched request path: the endpoint and its raw path variables, {@code name} and at most one other.
     * {@link #variable} throws {@link IllegalArgumentException} for a variable the endpoint does not have.
     */
    public record Match(Endpoint endpoint, String name, String other) {
        public String variable(String variable) {
            if (name != null && variable.equals("name")) {
                return name;
            }
            if (variable.equals(endpoint.variable)) {
                return other;
            }
            throw new IllegalArgumentException(endpoint + " has no variable " + variable);
        }
    }

    /**
     * The endpoint whose path matches, whatever the method. A name is any non-empty text, slashes included; every
     * other variable is one non-empty segment, so the template's segments after the name are the path's last ones,
     * and at most one endpoint fits a path. Compares segments from the end instead of running regular expressions:
     * it is on every request's path.
     */
    public static Optional<Match> match(String path) {
        if (!path.startsWith(PREFIX)) {
            return Optional.empty();
        }
        for (Endpoint endpoint : ALL) {
            Match match = endpoint.matchPath(path);
            if (match != null) {
                return Optional.of(match);
            }
        }
        return Optional.empty();
    }

    private Match matchPath(String path) {
        if (suffix == null) {
            return path.equals(template) ? new Match(this, null, null) : null;
        }
        String other = null;
        int end = path.length();
        for (int i = suffix.length - 1; i >= 0; i--) {
            int slash = path.lastIndexOf('/', end - 1);
            if (slash < PREFIX.length()) {
                return null; // the name would be empty
            }
            int length = end - slash - 1;
            if (suffix[i] == null) {
                if (length == 0) {
                    return null;
                }
                other = path.substring(slash + 1, end);
            } else if (length != suffix[i].length() || !path.startsWith(suffix[i], slash + 1)) {
                return null;
            }
            end = slash;
        }
        return end > PREFIX.length() ? new Match(this, path.substring(PREFIX.length(), end), other) : null;
    }

    /** The path for these variable values, in template order ({@code name} first, then the other variable). */
    public String path(Object... values) {
        String[] variables = Arrays.stream(new String[] {"{name}", "{reference}", "{digest}", "{uuid}"})
                .filter(template::contains).toArray(String[]::new);
        if (variables.length != values.length) {
            throw new IllegalArgumentException(this + " takes " + variables.length + " values, got " + values.length);
        }
        String path = template;
        for (int i = 0; i < variables.length; i++) {
            path = path.replace(variables[i], String.valueOf(values[i]));
        }
        return path;
    }
}
