package io.berth.server.http;

import io.vertx.core.Future;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Callable;

/**
 * {@code /healthz}: the process is up. {@code /readyz}: the database answers (503 while it does not). For load
 * balancers and orchestrators; public, and they say nothing but that.
 */
public final class Health {
    private final Callable<Boolean> readiness;

    /** @param readiness a blocking check that the database answers */
    public Health(Callable<Boolean> readiness) {
        this.readiness = readiness;
    }

    public Future<Reply> live(Exchange exchange) {
        return Future.succeededFuture(text(200, "ok\n"));
    }

    public Future<Reply> ready(Exchange exchange) {
        return exchange.blocking(readiness).otherwise(false)
                .map(ready -> ready ? text(200, "ready\n") : text(503, "database unavailable\n"));
    }

    private static Reply text(int status, String body) {
        return Reply.status(status).bytes(body.getBytes(StandardCharsets.UTF_8), "text/plain; charset=utf-8");
    }
}
