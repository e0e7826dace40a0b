package io.berth.server.http;

import io.berth.oci.Endpoint;
import io.berth.oci.ErrorCode;
import io.berth.server.auth.AccessController;
import io.berth.server.auth.AccessRequest;
import io.berth.server.auth.Audit;
import io.berth.server.auth.Decision;
import io.berth.server.auth.OpenAccess;
import io.berth.server.auth.RouteScopes;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import java.util.EnumMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Serves {@code /v2/}: matches the path against the {@link Endpoint} table, checks the method, asks the
 * {@link AccessController} for the route's scopes, runs the bound {@link RouteHandler} and sends its {@link Reply}.
 * Unknown paths are 404, known paths with another method 405; a refused request is 401 with
 * {@code WWW-Authenticate}, 403 {@code DENIED} or 429, whether the repository exists or not.
 */
public final class RegistryApi implements Handler<HttpServerRequest> {
    static final String API_VERSION_HEADER = "Docker-Distribution-API-Version";

    private final Map<Endpoint, Map<Endpoint.Method, RouteHandler>> routes;
    private final WorkerExecutor workers;
    private final AccessController access;

    private RegistryApi(Map<Endpoint, Map<Endpoint.Method, RouteHandler>> routes, WorkerExecutor workers,
                        AccessController access) {
        this.routes = routes;
        this.workers = workers;
        this.access = access;
    }

    public static Builder builder(WorkerExecutor workers) {
        return new Builder(workers);
    }

    /** Binds handlers to endpoints; {@link #build} fails when an endpoint method of the spec has no handler. */
    public static final class Builder {
        private final WorkerExecutor workers;
        private final Map<Endpoint, Map<Endpoint.Method, RouteHandler>> routes = new EnumMap<>(Endpoint.class);
        private AccessController access = OpenAccess.INSTANCE;

        private Builder(WorkerExecutor workers) {
            this.workers = workers;
        }

        /** Who may do what; {@link OpenAccess} (everything, for everyone) unless set. */
        public Builder access(AccessController access) {
            this.access = access;
            return this;
        }

        public Builder on(Endpoint endpoint, Endpoint.Method method, RouteHandler handler) {
            if (!endpoint.methods().contains(method)) {
                throw new IllegalArgumentException(endpoint + " has no " + method + " in the spec");
            }
            routes.computeIfAbsent(endpoint, e -> new EnumMap<>(Endpoint.Method.class)).put(method, handler);
            return this;
        }

        public RegistryApi build() {
            for (Endpoint endpoint : Endpoint.values()) {
                Set<Endpoint.Method> bound = routes.getOrDefault(endpoint, Map.of()).keySet();
                if (!bound.containsAll(endpoint.methods())) {
                    throw new IllegalStateException(endpoint + " lacks handlers for "
                            + endpoint.methods().stream().filter(m -> !bound.contains(m)).collect(Collectors.toList()));
                }
            }
            return new RegistryApi(routes, workers, access);
        }
    }

    @Override
    public void handle(HttpServerRequest request) {
        request.pause();
        request.response().putHeader(API_VERSION_HEADER, "registry/2.0");
        Future<Reply> reply;
        try {
            reply = dispatch(request);
        } catch (RuntimeException e) {
            reply = Future.failedFuture(e);
        }
        reply.onComplete(result -> {
            if (result.succeeded()) {
                result.result().sendTo(request);
            } else {
                ErrorRenderer.render(request, result.cause());
            }
        });
    }

    private Future<Reply> dispatch(HttpServerRequest request) {
        Endpoint.Match match = Endpoint.match(request.path())
                .orElseThrow(() -> ErrorCode.NOT_FOUND.exception("no such endpoint: " + request.path()));
        Map<Endpoint.Method, RouteHandler> handlers = routes.get(match.endpoint());
        RouteHandler handler = method(request.method()) == null ? null : handlers.get(method(request.method()));
        if (handler == null) {
            request.response().putHeader("Allow", handlers.keySet().stream().map(Enum::name).collect(Collectors.joining(", ")));
            throw ErrorCode.UNSUPPORTED.exception(request.method() + " is not supported on " + match.endpoint().template());
        }
        Endpoint.Method method = method(request.method());
        AccessRequest needs = new AccessRequest(Optional.ofNullable(request.getHeader("Authorization")),
                request.remoteAddress() == null ? "unknown" : request.remoteAddress().hostAddress(), origin(request),
                RouteScopes.scopes(match, method));
        return access.authorize(needs).compose(decision -> {
            if (decision instanceof Decision.Challenge challenge) {
                challenge.headers().forEach(request.response()::putHeader);
                return Future.failedFuture(challenge.code().exception(challenge.detail()));
            }
            Decision.Grant grant = (Decision.Grant) decision;
            return handler.handle(new Exchange(request, match, workers, grant)).onSuccess(reply -> Audit.completed(grant,
                    needs.client(), match, method, reply.status(), reply.headers().get("Docker-Content-Digest")));
        });
    }

    /** {@code scheme://host[:port]} as the client addressed this server. */
    public static String origin(HttpServerRequest request) {
        String authority = request.authority() == null ? request.localAddress().host() + ":" + request.localAddress().port()
                : request.authority().toString();
        return (request.isSSL() ? "https" : "http") + "://" + authority;
    }

    private static Endpoint.Method method(HttpMethod method) {
        try {
            return Endpoint.Method.valueOf(method.name());
        } catch (IllegalArgumentException e) {
            return null;
        }
    }
}
