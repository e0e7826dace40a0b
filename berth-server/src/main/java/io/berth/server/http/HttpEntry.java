package io.berth.server.http;

import io.berth.server.ui.WebUi;
import io.vertx.core.Handler;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerRequest;
import java.util.concurrent.Callable;

/**
 * The server's front door: {@code /v2/…} goes to the {@link RegistryApi}, {@code /api/v1/…} to the listing API;
 * {@code /healthz} (the process is up) and {@code /readyz} (the database answers) serve load balancers and
 * orchestrators.
 */
public final class HttpEntry implements Handler<HttpServerRequest> {
    private final RegistryApi api;
    private final Handler<HttpServerRequest> listing;
    private final Callable<Boolean> readiness;
    private final WorkerExecutor workers;
    private final Handler<HttpServerRequest> ui;

    /** @param readiness a blocking check that the database answers */
    public HttpEntry(RegistryApi api, Handler<HttpServerRequest> listing, Callable<Boolean> readiness,
                     WorkerExecutor workers) {
        this(api, listing, readiness, workers, null);
    }

    /** @param ui the web UI, or null when it is turned off */
    public HttpEntry(RegistryApi api, Handler<HttpServerRequest> listing, Callable<Boolean> readiness,
                     WorkerExecutor workers, Handler<HttpServerRequest> ui) {
        this.api = api;
        this.listing = listing;
        this.readiness = readiness;
        this.workers = workers;
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
        } else if (ui != null && WebUi.serves(path)) {
            ui.handle(request);
        } else {
            api.handle(request);
        }
    }

    private static void text(HttpServerRequest request, int status, String body) {
        request.response().setStatusCode(status).putHeader("Content-Type", "text/plain; charset=utf-8")
                .end(Buffer.buffer(body));
    }
}
