package io.berth.server.retention;

import io.berth.oci.Digest;
import io.berth.oci.Repository;
import io.berth.server.http.Exchange;
import io.berth.server.http.Reply;
import io.berth.server.http.RouteHandler;
import io.berth.server.meta.JdbcPullTimes;
import io.berth.server.meta.JdbcPullTimes.Pulled;
import io.vertx.core.Future;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Records when manifests are pulled ({@code manifests.pulled_at}) without a write per pull and without slowing the
 * pull: a served manifest GET only notes the pull in memory (a map lookup, on the event loop, after the answer was
 * made; an answer from the manifest cache stays one), and {@link #flush} writes what was noted in one transaction on a
 * worker, every few seconds. A manifest is noted again only once its last noted pull is older than the precision
 * ({@link RetentionConfig#pullTimePrecision}); the write itself skips rows that another node updated within it. A
 * node that stops loses at most the pulls of the last flush period, which makes a manifest look older by that much.
 */
public final class PullTimes {
    /** Above this many remembered manifests, pulls are no longer remembered (the write's own condition still holds). */
    private static final int MAX_REMEMBERED = 200_000;

    private final JdbcPullTimes store;
    private final Clock clock;
    private final Duration precision;
    private final ConcurrentHashMap<Pulled, Instant> pending = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<Pulled, Long> noted = new ConcurrentHashMap<>();

    public PullTimes(JdbcPullTimes store, Clock clock, Duration precision) {
        this.store = store;
        this.clock = clock;
        this.precision = precision;
    }

    /** {@code get}, noting each manifest it serves (200 to a GET; not HEAD, not 304). */
    public RouteHandler recording(RouteHandler get) {
        return exchange -> {
            Future<Reply> answer = get.handle(exchange);
            return answer.onSuccess(reply -> {
                String digest = reply.headers().get("Docker-Content-Digest");
                if (reply.status() == 200 && !exchange.isHead() && digest != null) {
                    noted(exchange, digest);
                }
            });
        };
    }

    private void noted(Exchange exchange, String digest) {
        seen(exchange.repository(), Digest.parse(digest));
    }

    /** Notes a pull of the manifest now. Non-blocking. */
    public void seen(Repository repository, Digest digest) {
        Pulled key = new Pulled(repository, digest);
        long now = clock.millis();
        Long last = noted.get(key);
        if (last != null && now - last < precision.toMillis()) {
            return;
        }
        if (noted.size() < MAX_REMEMBERED || last != null) {
            noted.put(key, now);
        }
        pending.put(key, Instant.ofEpochMilli(now));
    }

    /** Writes the pulls noted since the last flush. Blocking; the number of manifests whose time was written. */
    public int flush() {
        Map<Pulled, Instant> batch = new HashMap<>();
        for (Pulled key : pending.keySet()) {
            Instant at = pending.remove(key);
            if (at != null) {
                batch.put(key, at);
            }
        }
        long forgetBefore = clock.millis() - precision.toMillis();
        noted.values().removeIf(at -> at < forgetBefore);
        return store.record(batch, precision);
    }

    public Duration precision() {
        return precision;
    }
}
