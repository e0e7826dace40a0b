package io.berth.server.http;

import io.vertx.core.http.HttpMethod;
import java.util.Objects;

/**
 * One row of the route table: a method and a path, the access it needs, the handler that answers and the
 * {@link Lane} its blocking work runs on. Every path Berth serves is one of these; the {@link Router} checks
 * {@link #access} before {@link #handler} runs.
 */
public record Route(HttpMethod method, PathPattern path, Access access, RouteHandler handler, Lane lane) {
    public Route {
        Objects.requireNonNull(method, "method");
        Objects.requireNonNull(path, "path");
        if (access == null) {
            throw new IllegalStateException(method + " " + path.template() + " declares no access");
        }
        Objects.requireNonNull(handler, "handler");
        Objects.requireNonNull(lane, "lane");
    }

    /** {@code METHOD /template}, as the docs and tests name the route. */
    public String id() {
        return method.name() + " " + path.template();
    }
}
