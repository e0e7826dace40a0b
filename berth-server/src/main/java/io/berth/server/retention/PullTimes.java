package io.berth.server.retention;

import io.berth.oci.Digest;
import io.berth.oci.Repository;
import io.berth.server.http.RouteHandler;
import io.berth.server.meta.JdbcPullTimes;
import io.berth.server.meta.JdbcPullTimes.Pulled;
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

    /**
     * A pulled manifest as the request named it, in the texts the request already holds: noting a pull parses and
     * validates nothing again (the handler did, before it answered 200).
     */
    private record Noted(String repository, String digest) {
    }

    private final JdbcPullTimes store;
    private final Clock clock;
    private final Duration precision;
    private final ConcurrentHashMap<Noted, Instant> pending = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<Noted, Long> noted = new ConcurrentHashMap<>();

    public PullTimes(JdbcPullTimes store, Clock clock, Duration precision) {
        this.store = store;
        this.clock = clock;
        this.precision = precision;
    }

    /** {@code get}, noting each manifest it serves (200 to a GET; not HEAD, not 304). */
    public RouteHandler recording(RouteHandler get) {
        return exchange -> get.handle(exchange).onSuccess(reply -> {
            if (reply.status() == 200 && !exchange.isHead()) {
                String digest = reply.headers().get("Docker-Content-Digest");
                if (digest != null) {
                    seen(new Noted(exchange.variable("name"), digest));
                }
            }
        });
    }

    /** Notes a pull of the manifest now. Non-blocking. */
    public void seen(Repository repository, Digest digest) {
        seen(new Noted(repository.name(), digest.toString()));
    }

    private void seen(Noted key) {
        long now = clock.millis();
        Long last = noted.get(key);
        if (last != null && now - last < precision.toMillis()) {
            return;
        }
        if (last != null || noted.size() < MAX_REMEMBERED) {
            noted.put(key, now);
        }
        pending.put(key, Instant.ofEpochMilli(now));
    }

    /** Writes the pulls noted since the last flush. Blocking; the number of manifests whose time was written. */
    public int flush() {
        Map<Pulled, Instant> batch = new HashMap<>();
        for (Noted key : pending.keySet()) {
            Instant at = pending.remove(key);
            if (at != null) {
                batch.put(new Pulled(Repository.of(key.repository()), Digest.parse(key.digest())), at);
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
