package io.berth.server.http;

import io.berth.server.auth.TokenService;
import io.berth.server.ui.WebUi;
import io.vertx.core.Handler;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerRequest;
import java.util.Optional;
import java.util.concurrent.Callable;

/**
 * The server's front door: {@code /v2/…} goes to the {@link RegistryApi}, {@code /api/…} to the listing API;
 * {@code /healthz} (the process is up) and {@code /readyz} (the database answers) serve load balancers and
 * orchestrators; {@code /token} is the token endpoint when authorization is on; the web UI's pages when it is on.
 */
public final class HttpEntry implements Handler<HttpServerRequest> {
    private final RegistryApi api;
    private final Handler<HttpServerRequest> listing;
    private final Callable<Boolean> readiness;
    private final WorkerExecutor workers;
    private final Optional<TokenRoute> tokens;
    private final Optional<Handler<HttpServerRequest>> ui;

    /**
     * @param readiness a blocking check that the database answers
     * @param tokens    the token endpoint's logic, when authorization is on
     * @param ui        the web UI, when it is on
     */
    public HttpEntry(RegistryApi api, Handler<HttpServerRequest> listing, Callable<Boolean> readiness,
                     WorkerExecutor workers, Optional<TokenService> tokens, Optional<Handler<HttpServerRequest>> ui) {
        this.api = api;
        this.listing = listing;
        this.readiness = readiness;
        this.workers = workers;
        this.tokens = tokens.map(t -> new TokenRoute(t, workers));
        this.ui = ui;
    }

    @Override
    public void handle(HttpServerRequest request) {
        String path = request.path();
        if (path.startsWith("/api/")) {
            listing.handle(request);
        } else if (path.equals("/healthz")) {
            text(request, 200, "ok\n");
        } else if (path.equals("/readyz")) {
            request.pause();
            workers.executeBlocking(readiness, false)
                    .onComplete(r -> text(request, r.succeeded() && r.result() ? 200 : 503,
                            r.succeeded() && r.result() ? "ready\n" : "database unavailable\n"));
        } else if (tokens.isPresent() && (path.equals("/token") || path.startsWith("/token/"))) {
            tokens.get().handle(request);
        } else if (ui.isPresent() && WebUi.serves(path)) {
            ui.get().handle(request);
        } else {
            api.handle(request);
        }
    }

    private static void text(HttpServerRequest request, int status, String body) {
        request.response().setStatusCode(status).putHeader("Content-Type", "text/plain; charset=utf-8")
                .end(Buffer.buffer(body));
    }
}
