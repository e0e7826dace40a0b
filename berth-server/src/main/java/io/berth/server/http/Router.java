package io.berth.server.http;

import io.berth.oci.Endpoint;
import io.berth.oci.ErrorCode;
import io.berth.server.auth.AccessController;
import io.berth.server.auth.AccessRequest;
import io.berth.server.auth.Audit;
import io.berth.server.auth.Decision;
import io.berth.server.meta.RequestContext;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.net.HostAndPort;
import io.vertx.core.net.SocketAddress;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * The server's front door and its one route table: {@code /v2/}, {@code /api/v1/}, {@code /token}, health and the web
 * UI are all {@link Route}s. A request's path picks its routes (404 {@code UNSUPPORTED} when none), its method one of
 * them (405 with {@code Allow} when none); then the route's {@link Access} is checked with the
 * {@link AccessController} — 401 with {@code WWW-Authenticate}, 403 {@code DENIED} or 429, whether the resource
 * exists or not — and only then does the handler run. Its {@link Reply}, or its failure, is sent from here.
 */
public final class Router implements Handler<HttpServerRequest> {
    static final String API_VERSION_HEADER = "Docker-Distribution-API-Version";
    /** A year, the subdomains too: once a browser has seen the registry over TLS, it never goes back to plain HTTP. */
    static final String HSTS = "max-age=31536000; includeSubDomains";
    private static final String V2 = "/v2/";

    private final List<Route> routes;
    private final Map<Endpoint, Map<HttpMethod, Route>> spec;
    private final Map<String, Map<HttpMethod, Route>> exact;
    private final Map<PathPattern, Map<HttpMethod, Route>> patterns;
    private final Workers workers;
    private final AccessController access;
    private final RequestObserver observer;

    private Router(Builder builder) {
        this.routes = List.copyOf(builder.routes);
        this.spec = new EnumMap<>(Endpoint.class);
        this.exact = new HashMap<>();
        this.patterns = new LinkedHashMap<>();
        for (Route route : routes) {
            Map<HttpMethod, Route> byMethod = route.path() instanceof PathPattern.Spec s
                    ? spec.computeIfAbsent(s.endpoint(), e -> new HashMap<>())
                    : route.path() instanceof PathPattern.Exact e ? exact.computeIfAbsent(e.path(), p -> new HashMap<>())
                    : patterns.computeIfAbsent(route.path(), p -> new HashMap<>());
            byMethod.put(route.method(), route);
        }
        this.workers = builder.workers;
        this.access = builder.access;
        this.observer = builder.observers.apply(routes);
    }

    public static Builder builder(Workers workers, AccessController access) {
        return new Builder(workers, access);
    }

    /** Collects routes; {@link #build} fails when a method of a spec endpoint has no route or a route is declared twice. */
    public static final class Builder {
        private final Workers workers;
        private final AccessController access;
        private final List<Route> routes = new ArrayList<>();
        private Function<List<Route>, RequestObserver> observers = table -> RequestObserver.NONE;

        private Builder(Workers workers, AccessController access) {
            this.workers = workers;
            this.access = access;
        }

        /** A method of a spec endpoint, on the lane of its method ({@link Lane#of}). */
        public Builder on(Endpoint endpoint, Endpoint.Method method, Access access, RouteHandler handler) {
            return on(endpoint, method, access, Lane.of(HttpMethod.valueOf(method.name())), handler);
        }

        /** A method of a spec endpoint whose blocking work runs on {@code lane}: a GET that writes, for one. */
        public Builder on(Endpoint endpoint, Endpoint.Method method, Access access, Lane lane, RouteHandler handler) {
            if (!endpoint.methods().contains(method)) {
                throw new IllegalArgumentException(endpoint + " has no " + method + " in the spec");
            }
            return add(new Route(HttpMethod.valueOf(method.name()), PathPattern.of(endpoint), access, handler, lane));
        }

        /** {@code method} on a path template ({@link PathPattern#of(String)}). */
        public Builder on(HttpMethod method, String template, Access access, RouteHandler handler) {
            return add(new Route(method, PathPattern.of(template), access, handler, Lane.of(method)));
        }

        /** GET and HEAD (the same answer without its body). */
        public Builder get(String template, Access access, RouteHandler handler) {
            return on(HttpMethod.GET, template, access, handler).on(HttpMethod.HEAD, template, access, handler);
        }

        /** GET and HEAD of a probe ({@code /readyz}, {@code /metrics}), whose blocking work has a pool of its own. */
        public Builder probe(String template, Access access, RouteHandler handler) {
            add(new Route(HttpMethod.GET, PathPattern.of(template), access, handler, Lane.PROBE));
            return add(new Route(HttpMethod.HEAD, PathPattern.of(template), access, handler, Lane.PROBE));
        }

        /**
         * Who is told of every answered request ({@link RequestObserver}), made from the finished table so that it
         * can prepare what it keeps per route.
         */
        public Builder observedBy(Function<List<Route>, RequestObserver> observers) {
            this.observers = observers;
            return this;
        }

        private Builder add(Route route) {
            if (routes.stream().anyMatch(r -> r.id().equals(route.id()))) {
                throw new IllegalStateException(route.id() + " is declared twice");
            }
            routes.add(route);
            return this;
        }

        public Router build() {
            for (Endpoint endpoint : Endpoint.values()) {
                List<Endpoint.Method> unbound = endpoint.methods().stream().filter(m -> routes.stream().noneMatch(r ->
                        r.path().equals(PathPattern.of(endpoint)) && r.method().name().equals(m.name()))).toList();
                if (!unbound.isEmpty()) {
                    throw new IllegalStateException(endpoint + " lacks handlers for " + unbound);
                }
            }
            return new Router(this);
        }
    }

    /** Every route, in the order declared: what the docs' route table and the access-matrix test walk. */
    public List<Route> routes() {
        return routes;
    }

    /**
     * Answers one request. An error carries the request's id ({@code X-Request-Id} and {@code requestId} in its
     * body), which the log lines about it repeat; over TLS every answer carries {@code Strict-Transport-Security}.
     */
    @Override
    public void handle(HttpServerRequest request) {
        request.pause();
        RequestId requestId = new RequestId(request);
        ServedRequest served = null;
        if (observer != RequestObserver.NONE) {
            served = new ServedRequest(request, requestId, observer);
            request.response().endHandler(served);
        }
        if (request.isSSL()) {
            request.response().putHeader("Strict-Transport-Security", HSTS);
        }
        Future<Reply> reply;
        try {
            reply = dispatch(request, requestId, served);
        } catch (RuntimeException e) {
            reply = Future.failedFuture(e);
        }
        reply.onComplete(result -> {
            if (result.succeeded()) {
                result.result().sendTo(request);
            } else {
                ErrorRenderer.render(request, requestId, result.cause());
            }
        });
    }

    /** The routes of a path (one per method), its variables, and its spec endpoint when it is one. */
    private record Matched(Map<HttpMethod, Route> byMethod, PathVariables variables, Endpoint.Match endpoint) {
    }

    /** @param served the observers' record of the request, null when nobody observes */
    private Future<Reply> dispatch(HttpServerRequest request, RequestId requestId, ServedRequest served) {
        Matched matched = match(request);
        Route route = matched.byMethod().get(request.method());
        if (route == null) {
            request.response().putHeader("Allow", matched.byMethod().keySet().stream().map(HttpMethod::name).sorted()
                    .collect(Collectors.joining(", ")));
            throw ErrorCode.UNSUPPORTED.exception(request.method() + " is not supported on "
                    + matched.byMethod().values().iterator().next().path().template());
        }
        if (served != null) {
            served.matched(route);
        }
        requireDecodableQuery(request);
        if (route.access().isPublic()) {
            return route.handler().handle(new Exchange(request, () -> context(request, requestId, Decision.Grant.NOBODY),
                    matched.variables(), workers, route.lane(), Decision.Grant.NOBODY));
        }
        AccessRequest needs = new AccessRequest(Optional.ofNullable(request.getHeader("Authorization")),
                client(request), () -> origin(request),
                route.access().scopes(matched.variables(), name -> Optional.ofNullable(request.getParam(name))),
                requestId);
        return access.authorize(needs).compose(decision -> {
            if (decision instanceof Decision.Challenge challenge) {
                challenge.headers().forEach(request.response()::putHeader);
                return Future.failedFuture(challenge.code().exception(challenge.detail()));
            }
            Decision.Grant grant = (Decision.Grant) decision;
            if (served != null) {
                served.admitted(grant.subject());
            }
            Future<Reply> reply = route.handler().handle(new Exchange(request, () -> context(request, requestId, grant),
                    matched.variables(), workers, route.lane(), grant));
            return matched.endpoint() == null ? reply : reply.onSuccess(r -> Audit.completed(requestId::get, grant, needs.client(),
                    matched.endpoint(), Endpoint.Method.valueOf(route.method().name()), r.status(),
                    r.headers().get("Docker-Content-Digest")));
        });
    }

    /** Spec endpoints first (every {@code /v2/} path is one or none), then exact paths, then patterns in order. */
    private Matched match(HttpServerRequest request) {
        String path = request.path();
        if (path == null || !path.startsWith("/")) {
            throw ErrorCode.UNSUPPORTED.exception(400, "the request target is not a path");
        }
        if (path.startsWith(V2)) {
            request.response().putHeader(API_VERSION_HEADER, "registry/2.0");
            Endpoint.Match endpoint = Endpoint.match(path).orElseThrow(() -> noSuchPath(path));
            return new Matched(spec.get(endpoint.endpoint()), endpoint::variable, endpoint);
        }
        Map<HttpMethod, Route> byMethod = exact.get(path);
        if (byMethod != null) {
            return new Matched(byMethod, PathVariables.NONE, null);
        }
        for (Map.Entry<PathPattern, Map<HttpMethod, Route>> pattern : patterns.entrySet()) {
            PathVariables variables = pattern.getKey().match(path);
            if (variables != null) {
                return new Matched(pattern.getValue(), variables, null);
            }
        }
        throw noSuchPath(path);
    }

    /** Who made the request, through which connection, as events record it; the grant names the actor. */
    private static RequestContext context(HttpServerRequest request, RequestId id, Decision.Grant grant) {
        SocketAddress remote = request.remoteAddress();
        HostAndPort authority = request.authority();
        String host = authority == null ? "" : authority.port() > 0 ? authority.host() + ":" + authority.port() : authority.host();
        return new RequestContext(id.get(), remote == null ? "" : remote.hostAddress() + ":" + remote.port(), host,
                request.method().name(), request.getHeader("User-Agent"), grant.subject().display());
    }

    private static RuntimeException noSuchPath(String path) {
        return ErrorCode.UNSUPPORTED.exception(404, "no such endpoint: " + path);
    }

    /**
     * A query with malformed percent-encoding, or with a NUL in a value (which PostgreSQL refuses in any text), is
     * the client's fault: 400, before any handler reads a parameter.
     */
    private static void requireDecodableQuery(HttpServerRequest request) {
        if (request.query() == null) {
            return;
        }
        MultiMap params;
        try {
            params = request.params();
        } catch (IllegalArgumentException e) {
            throw ErrorCode.UNSUPPORTED.exception(400, "malformed query string: " + e.getMessage());
        }
        for (Map.Entry<String, String> param : params) {
            if (param.getKey().indexOf('\0') >= 0 || param.getValue().indexOf('\0') >= 0) {
                throw ErrorCode.UNSUPPORTED.exception(400, "a NUL character in the query");
            }
        }
    }

    /** The client's address, as the access controller counts failed logins by it. */
    static String client(HttpServerRequest request) {
        return request.remoteAddress() == null ? "unknown" : request.remoteAddress().hostAddress();
    }

    /** {@code scheme://host[:port]} as the client addressed this server. */
    static String origin(HttpServerRequest request) {
        String authority = request.authority() == null ? request.localAddress().host() + ":" + request.localAddress().port()
                : request.authority().toString();
        return (request.isSSL() ? "https" : "http") + "://" + authority;
    }
}
