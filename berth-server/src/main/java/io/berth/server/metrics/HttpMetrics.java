package io.berth.server.metrics;

import io.berth.server.http.RequestObserver;
import io.berth.server.http.Route;
import io.berth.server.http.ServedRequest;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.vertx.core.http.HttpMethod;
import java.time.Duration;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * Requests by route, method and status: a latency histogram ({@code berth_http_server_requests_seconds}) and the body
 * bytes received and sent. The route label is the route table's template ({@code /v2/{name}/blobs/{digest}}), never
 * the path, so the number of series stays bounded; requests no route answered (404, 405, a malformed target) are
 * {@code route="unmatched"}, with any method outside HTTP's own as {@code OTHER}. The meters of each route are made
 * when the table is, and those of a status on its first use; recording a request looks both up without allocating.
 */
final class HttpMetrics implements RequestObserver {
    static final String REQUESTS = "berth.http.server.requests";
    static final String RECEIVED = "berth.http.server.received";
    static final String SENT = "berth.http.server.sent";
    static final String UNMATCHED = "unmatched";
    /** The histogram's buckets: from a cached manifest's milliseconds to a large layer's minutes. */
    private static final Duration[] BUCKETS = {Duration.ofMillis(1), Duration.ofMillis(5), Duration.ofMillis(10),
            Duration.ofMillis(25), Duration.ofMillis(50), Duration.ofMillis(100), Duration.ofMillis(250),
            Duration.ofMillis(500), Duration.ofSeconds(1), Duration.ofMillis(2500), Duration.ofSeconds(5),
            Duration.ofSeconds(10), Duration.ofSeconds(30), Duration.ofSeconds(60), Duration.ofSeconds(300)};
    private static final List<HttpMethod> STANDARD = List.of(HttpMethod.GET, HttpMethod.HEAD, HttpMethod.POST,
            HttpMethod.PUT, HttpMethod.PATCH, HttpMethod.DELETE, HttpMethod.OPTIONS, HttpMethod.TRACE, HttpMethod.CONNECT);

    private final Map<Route, RouteMeters> routes = new IdentityHashMap<>();
    private final Map<HttpMethod, RouteMeters> unmatched = new HashMap<>();
    private final RouteMeters unmatchedOther;

    HttpMetrics(MeterRegistry registry, List<Route> table) {
        for (Route route : table) {
            routes.put(route, new RouteMeters(registry, route.path().template(), route.method().name()));
        }
        for (HttpMethod method : STANDARD) {
            unmatched.put(method, new RouteMeters(registry, UNMATCHED, method.name()));
        }
        unmatchedOther = new RouteMeters(registry, UNMATCHED, "OTHER");
    }

    @Override
    public void completed(ServedRequest request) {
        RouteMeters meters = request.route() == null ? null : routes.get(request.route());
        if (meters == null) {
            meters = unmatched.getOrDefault(request.request().method(), unmatchedOther);
        }
        meters.record(request.status(), request.durationNanos(), request.bytesIn(), request.bytesOut());
    }

    /** One route's meters: the byte counters, and a timer per status made when the status first occurs. */
    private static final class RouteMeters {
        private static final int FIRST_STATUS = 100;
        private static final int LAST_STATUS = 599;

        private final MeterRegistry registry;
        private final String route;
        private final String method;
        private final Counter received;
        private final Counter sent;
        private final AtomicReferenceArray<Timer> byStatus = new AtomicReferenceArray<>(LAST_STATUS - FIRST_STATUS + 2);

        RouteMeters(MeterRegistry registry, String route, String method) {
            this.registry = registry;
            this.route = route;
            this.method = method;
            this.received = Counter.builder(RECEIVED).baseUnit("bytes").description("Request body bytes received")
                    .tag("route", route).tag("method", method).register(registry);
            this.sent = Counter.builder(SENT).baseUnit("bytes").description("Response body bytes sent")
                    .tag("route", route).tag("method", method).register(registry);
        }

        void record(int status, long nanos, long in, long out) {
            int slot = status < FIRST_STATUS || status > LAST_STATUS ? byStatus.length() - 1 : status - FIRST_STATUS;
            Timer timer = byStatus.get(slot);
            if (timer == null) {
                // Two first requests may both get here: the registry hands both the same timer.
                timer = Timer.builder(REQUESTS).description("Requests answered, by route, method and status")
                        .tag("route", route).tag("method", method)
                        .tag("status", slot == byStatus.length() - 1 ? "other" : String.valueOf(status))
                        .serviceLevelObjectives(BUCKETS)
                        .register(registry);
                byStatus.set(slot, timer);
            }
            timer.record(nanos, TimeUnit.NANOSECONDS);
            if (in > 0) {
                received.increment(in);
            }
            if (out > 0) {
                sent.increment(out);
            }
        }
    }
}
