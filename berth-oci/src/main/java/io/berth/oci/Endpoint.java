package io.berth.oci;

import java.util.Arrays;
import java.util.EnumSet;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The distribution-spec's route table as data (spec section "Endpoints", end-1 … end-13). The server binds one
 * handler to each entry and the client builds its URLs from the same entries. Path variables are named groups:
 * {@code name} (a repository, which may contain {@code /}), {@code reference}, {@code digest}, {@code uuid}.
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

    private final String template;
    private final Set<Method> methods;
    private final Pattern pattern;

    Endpoint(String template, Set<Method> methods) {
        this.template = template;
        this.methods = methods;
        this.pattern = Pattern.compile(Pattern.quote(template)
                .replace("{name}", "\\E(?<name>.+?)\\Q")
                .replace("{reference}", "\\E(?<reference>[^/]+)\\Q")
                .replace("{digest}", "\\E(?<digest>[^/]+)\\Q")
                .replace("{uuid}", "\\E(?<uuid>[^/]+)\\Q"));
    }

    public Set<Method> methods() {
        return methods;
    }

    public String template() {
        return template;
    }

    /** A matched request path: the endpoint and its raw path variables. */
    public record Match(Endpoint endpoint, Matcher matcher) {
        public String variable(String name) {
            return matcher.group(name);
        }
    }

    /** The endpoint whose path matches, whatever the method; endpoints are tried in declaration order. */
    public static Optional<Match> match(String path) {
        for (Endpoint endpoint : values()) {
            Matcher matcher = endpoint.pattern.matcher(path);
            if (matcher.matches()) {
                return Optional.of(new Match(endpoint, matcher));
            }
        }
        return Optional.empty();
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
