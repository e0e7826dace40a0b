package io.berth.server.http;

import io.vertx.core.Future;
import java.nio.charset.StandardCharsets;

/**
 * {@code /healthz}: the process is up (its readiness, {@code /readyz}, is {@code io.berth.server.readiness}'s). For
 * load balancers and orchestrators; public, and it says nothing but that.
 */
public final class Health {
    public Future<Reply> live(Exchange exchange) {
        return Future.succeededFuture(Reply.status(200).bytes("ok\n".getBytes(StandardCharsets.UTF_8),
                "text/plain; charset=utf-8"));
    }
}
