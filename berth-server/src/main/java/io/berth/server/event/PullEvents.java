package io.berth.server.event;

import io.berth.oci.Digest;
import io.berth.oci.Reference;
import io.berth.oci.Repository;
import io.berth.server.http.Exchange;
import io.berth.server.http.Reply;
import io.berth.server.http.RouteHandler;
import io.berth.server.meta.ManifestIndex;
import io.vertx.core.Future;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Wraps the manifest GET handler: after a manifest was served (200, not HEAD, not 304), records a pull event. The
 * reply is not held up: the event is recorded afterwards, in a transaction of its own, on the write pool (a write
 * waiting for the database must not hold a read worker).
 */
final class PullEvents implements RouteHandler {
    private static final Logger LOG = LoggerFactory.getLogger(PullEvents.class);

    private final RouteHandler get;
    private final ManifestIndex manifests;
    private final EventRecorder recorder;

    PullEvents(RouteHandler get, ManifestIndex manifests, EventRecorder recorder) {
        this.get = get;
        this.manifests = manifests;
        this.recorder = recorder;
    }

    @Override
    public Future<Reply> handle(Exchange exchange) {
        return get.handle(exchange).onSuccess(reply -> {
            String digest = reply.headers().get("Docker-Content-Digest");
            if (reply.status() != 200 || exchange.isHead() || digest == null) {
                return;
            }
            Repository repository = exchange.repository();
            Reference reference = Reference.parse(exchange.variable("reference"));
            Optional<Reference.Tag> tag = reference instanceof Reference.Tag t ? Optional.of(t) : Optional.empty();
            exchange.writing(() -> {
                manifests.manifest(repository, Digest.parse(digest))
                        .ifPresent(manifest -> recorder.pulled(manifest, tag, exchange.context()));
                return null;
            }).onFailure(e -> LOG.warn("recording the pull of {}@{} failed", repository, digest, e));
        });
    }
}
