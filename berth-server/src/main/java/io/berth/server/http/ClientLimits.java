package io.berth.server.http;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * How long and how slowly a client may hold a connection, and how many it may hold: the defence against clients
 * that open connections and then send nothing, or trickle their headers or body (slowloris).
 *
 * @param headerTimeout            a request's headers must be complete this long after the connection opened, or
 *                                 after the first byte of a later request on the same connection
 * @param idleTimeout              a connection that neither reads nor writes this long is closed (keep-alive)
 * @param minBodyRate              bytes per second a request body must average while the server waits for it;
 *                                 0 turns the rule off
 * @param bodyRateWindow           the waiting time the body rate is averaged over
 * @param maxConnections           open connections beyond which new ones are closed at once
 * @param maxConnectionsPerAddress the same, per client address
 */
public record ClientLimits(Duration headerTimeout, Duration idleTimeout, int minBodyRate, Duration bodyRateWindow,
                           int maxConnections, int maxConnectionsPerAddress) {
    /**
     * 10,000, or one per 32 KiB of maximum heap if that is fewer. An idle HTTP/1.1 connection holds 7.9 KiB of heap
     * (measured with bin/berth's heap, after a full collection, by {@code bench/run --only idle-connections}: 2,015
     * connections that never sent a byte took 15.5 MiB), and so does a refused one until it is closed — which the
     * accept gate does before Vert.x builds any of it. bin/berth's 64 MiB heap (63.2 MiB usable: the serial collector leaves a survivor space out) so
     * affords about 2,020: 16 MiB of idle connections at most, with room left for serving. 19,464 idle connections
     * against it (the most a file-descriptor limit of 20,000 allowed) left it serving, holding 2,015 and refusing the
     * rest ({@code IdleConnectionsTest}).
     */
    public static final int DEFAULT_MAX_CONNECTIONS = (int) Math.min(10_000, Runtime.getRuntime().maxMemory() / 32768);
    public static final ClientLimits DEFAULT = new ClientLimits(Duration.ofSeconds(10), Duration.ofSeconds(60), 1024,
            Duration.ofSeconds(10), DEFAULT_MAX_CONNECTIONS, 512);

    /** What is wrong with these limits, each problem naming its key; the configuration refuses to start with any. */
    public List<String> problems() {
        List<String> problems = new ArrayList<>();
        if (!positive(headerTimeout)) {
            problems.add("limits.headerTimeout must be positive, was " + headerTimeout);
        }
        if (!positive(idleTimeout)) {
            problems.add("limits.idleTimeout must be positive, was " + idleTimeout);
        }
        if (!positive(bodyRateWindow)) {
            problems.add("limits.minBodyRateWindow must be positive, was " + bodyRateWindow);
        }
        if (minBodyRate < 0) {
            problems.add("limits.minBodyRate must be 0 (off) or more bytes per second, was " + minBodyRate);
        }
        if (maxConnections < 1 || maxConnectionsPerAddress < 1) {
            problems.add("limits.maxConnections and limits.maxConnectionsPerAddress must be at least 1");
        }
        return problems;
    }

    private static boolean positive(Duration duration) {
        return duration != null && !duration.isNegative() && !duration.isZero();
    }

    public ClientLimits withHeaderTimeout(Duration headerTimeout) {
        return new ClientLimits(headerTimeout, idleTimeout, minBodyRate, bodyRateWindow, maxConnections, maxConnectionsPerAddress);
    }

    public ClientLimits withMinBodyRate(int minBodyRate, Duration bodyRateWindow) {
        return new ClientLimits(headerTimeout, idleTimeout, minBodyRate, bodyRateWindow, maxConnections, maxConnectionsPerAddress);
    }

    public ClientLimits withMaxConnections(int maxConnections, int maxConnectionsPerAddress) {
        return new ClientLimits(headerTimeout, idleTimeout, minBodyRate, bodyRateWindow, maxConnections, maxConnectionsPerAddress);
    }

    public ClientLimits withIdleTimeout(Duration idleTimeout) {
        return new ClientLimits(headerTimeout, idleTimeout, minBodyRate, bodyRateWindow, maxConnections, maxConnectionsPerAddress);
    }
}
