package io.berth.server.http;

import io.vertx.core.Future;

/** Answers one method of one {@link io.berth.oci.Endpoint}. Failures with a {@code RegistryException} become spec errors. */
@FunctionalInterface
public interface RouteHandler {
    Future<Reply> handle(Exchange exchange);
}
