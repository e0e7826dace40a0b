package io.berth.server.http;

import io.vertx.core.Handler;
import io.vertx.core.http.HttpServerRequest;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Sends each {@code /api/…} request to the API that serves its exact path (events, scans), everything else under
 * {@code /api/} to the listing API.
 */
public final class ApiRoutes implements Handler<HttpServerRequest> {
    private final Map<String, Handler<HttpServerRequest>> byPath = new HashMap<>();
    private final Handler<HttpServerRequest> fallback;

    public ApiRoutes(Handler<HttpServerRequest> fallback) {
        this.fallback = fallback;
    }

    public ApiRoutes route(List<String> paths, Handler<HttpServerRequest> handler) {
        paths.forEach(path -> byPath.put(path, handler));
        return this;
    }

    @Override
    public void handle(HttpServerRequest request) {
        byPath.getOrDefault(request.path(), fallback).handle(request);
    }
}
