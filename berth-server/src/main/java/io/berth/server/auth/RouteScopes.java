package io.berth.server.auth;

import static io.berth.server.auth.Action.DELETE;
import static io.berth.server.auth.Action.PULL;
import static io.berth.server.auth.Action.PUSH;

import io.berth.oci.Endpoint;
import io.berth.oci.Endpoint.Method;
import io.berth.oci.Repository;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The access each route of the {@link Endpoint} table needs, as data: reading is {@code pull}; writing is
 * {@code push} and {@code pull} (as in CNCF Distribution, so a pusher's token works for the reads a push makes);
 * deleting a manifest or a blob is {@code delete}. Cancelling an upload is part of pushing. The catalog needs
 * {@code registry:catalog:*} and lists only what the caller may pull; {@code /v2/} needs no scope, only an identity.
 * A cross-repository mount additionally needs {@code pull} on the source, checked by the upload handler: without it
 * the request becomes a normal upload.
 */
public final class RouteScopes {
    private static final Map<Endpoint, Map<Method, Set<Action>>> TABLE = new EnumMap<>(Endpoint.class);

    static {
        on(Endpoint.BASE, Method.GET, EnumSet.noneOf(Action.class));
        on(Endpoint.BASE, Method.HEAD, EnumSet.noneOf(Action.class));
        on(Endpoint.CATALOG, Method.GET, EnumSet.noneOf(Action.class));
        on(Endpoint.TAGS, Method.GET, EnumSet.of(PULL));
        on(Endpoint.REFERRERS, Method.GET, EnumSet.of(PULL));
        on(Endpoint.MANIFEST, Method.GET, EnumSet.of(PULL));
        on(Endpoint.MANIFEST, Method.HEAD, EnumSet.of(PULL));
        on(Endpoint.MANIFEST, Method.PUT, EnumSet.of(PULL, PUSH));
        on(Endpoint.MANIFEST, Method.DELETE, EnumSet.of(DELETE));
        on(Endpoint.BLOB, Method.GET, EnumSet.of(PULL));
        on(Endpoint.BLOB, Method.HEAD, EnumSet.of(PULL));
        on(Endpoint.BLOB, Method.DELETE, EnumSet.of(DELETE));
        on(Endpoint.UPLOADS, Method.POST, EnumSet.of(PULL, PUSH));
        on(Endpoint.UPLOAD, Method.GET, EnumSet.of(PULL, PUSH));
        on(Endpoint.UPLOAD, Method.PATCH, EnumSet.of(PULL, PUSH));
        on(Endpoint.UPLOAD, Method.PUT, EnumSet.of(PULL, PUSH));
        on(Endpoint.UPLOAD, Method.DELETE, EnumSet.of(PULL, PUSH));
    }

    private RouteScopes() {
    }

    private static void on(Endpoint endpoint, Method method, Set<Action> actions) {
        TABLE.computeIfAbsent(endpoint, e -> new EnumMap<>(Method.class)).put(method, actions);
    }

    /** The actions on the path's repository that this route needs; empty for routes without a repository. */
    public static Set<Action> actions(Endpoint endpoint, Method method) {
        Set<Action> actions = TABLE.getOrDefault(endpoint, Map.of()).get(method);
        if (actions == null) {
            throw new IllegalStateException("no access rule for " + method + " " + endpoint.template());
        }
        return actions;
    }

    /** The scopes a matched request needs. The repository name is validated here (400 NAME_INVALID). */
    public static List<Scope> scopes(Endpoint.Match match, Method method) {
        Endpoint endpoint = match.endpoint();
        if (endpoint == Endpoint.CATALOG) {
            return List.of(Scope.CATALOG);
        }
        if (!endpoint.template().contains("{name}")) {
            return List.of();
        }
        return List.of(Scope.repository(Repository.of(match.variable("name")), actions(endpoint, method)));
    }
}
