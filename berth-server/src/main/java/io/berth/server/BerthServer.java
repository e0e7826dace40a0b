package io.berth.server;

import io.berth.server.config.BerthConfig;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;

/** A running registry: built and wired by {@link #start}, stopped by {@link #close}. */
public final class BerthServer implements AutoCloseable {
    private final Vertx vertx;
    private final HttpServer http;

    private BerthServer(Vertx vertx, HttpServer http) {
        this.vertx = vertx;
        this.http = http;
    }

    /** Starts the registry and returns once it listens. */
    public static BerthServer start(BerthConfig config) {
        Vertx vertx = Vertx.vertx();
        HttpServerOptions options = new HttpServerOptions()
                .setHost(config.host())
                .setPort(config.port())
                .setHandle100ContinueAutomatically(true);
        HttpServer http = vertx.createHttpServer(options)
                .requestHandler(request -> request.response()
                        .putHeader("Docker-Distribution-API-Version", "registry/2.0")
                        .end())
                .listen()
                .await();
        return new BerthServer(vertx, http);
    }

    public int port() {
        return http.actualPort();
    }

    @Override
    public void close() {
        http.close().await();
        vertx.close().await();
    }
}
