package io.berth.server.http;

import io.netty.channel.Channel;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The time limits of one connection, told by {@link StrictRequestDecoder} where each request stands. A request's
 * head must be complete within {@link ClientLimits#headerTimeout()} of the connection opening or of its first byte
 * (while the server itself is not reading when it expires, it waits once more).
 * While a body is awaited, its bytes must average {@link ClientLimits#minBodyRate()} per second over each
 * {@link ClientLimits#bodyRateWindow()} of waiting; time in which the server itself does not read (Vert.x turned
 * auto-read off for back-pressure) does not count, and neither does the time after the body, while the request is
 * processed or its response written. A connection breaking a limit is closed, with one log line. All on the
 * connection's event loop.
 */
final class SlowClients {
    private static final Logger LOG = LoggerFactory.getLogger(SlowClients.class);

    private final Channel channel;
    private final ClientLimits limits;
    private final long windowMillis;
    private final long tickMillis;
    private final long headerTimeoutNanos;
    /** When the head under way began to arrive (the event loop's clock, never 0), or 0 when none is. */
    private long headStartedNanos;
    private ScheduledFuture<?> headTimer;
    private ScheduledFuture<?> rateTimer;
    private long waitedMillis;
    private long bytesInWindow;
    private boolean closed;

    SlowClients(Channel channel, ClientLimits limits) {
        this.channel = channel;
        this.limits = limits;
        this.windowMillis = limits.bodyRateWindow().toMillis();
        this.tickMillis = Math.max(20, windowMillis / 10);
        this.headerTimeoutNanos = limits.headerTimeout().toNanos();
    }

    /**
     * The connection opened or a request's first bytes arrived: its head is due within the header timeout. Only the
     * time is noted; one timer per connection checks it, armed when none is (scheduling and cancelling a timer for
     * every request of a keep-alive connection cost a tenth of the small requests' throughput).
     */
    void headStarted() {
        if (headStartedNanos == 0) {
            headStartedNanos = now() | 1;
        }
        if (headTimer == null && !closed) {
            armHeadTimer(headerTimeoutNanos);
        }
    }

    private void armHeadTimer(long delayNanos) {
        headTimer = channel.eventLoop().schedule(this::checkHead, delayNanos, TimeUnit.NANOSECONDS);
    }

    /**
     * Closes the connection when a head has been arriving for longer than the timeout, unless the server stopped
     * reading (a pipelined request waiting behind a long response): then it waits once more.
     */
    private void checkHead() {
        headTimer = null;
        if (closed || headStartedNanos == 0) {
            return; // no head under way: the next one arms the timer again
        }
        long due = headStartedNanos + headerTimeoutNanos - now();
        if (due > 0) {
            armHeadTimer(due);
        } else if (channel.config().isAutoRead()) {
            close("request head not complete within " + limits.headerTimeout().toMillis() + " ms");
        } else {
            headStartedNanos = now() | 1;
            armHeadTimer(headerTimeoutNanos);
        }
    }

    void headDone() {
        headStartedNanos = 0;
    }

    private long now() {
        return channel.eventLoop().ticker().nanoTime();
    }

    /** A body is being read and not complete yet. */
    void bodyAwaited() {
        if (rateTimer == null && !closed && limits.minBodyRate() > 0) {
            waitedMillis = 0;
            bytesInWindow = 0;
            rateTimer = channel.eventLoop().scheduleAtFixedRate(this::tick, tickMillis, tickMillis, TimeUnit.MILLISECONDS);
        }
    }

    void bodyRead(int bytes) {
        bytesInWindow += bytes;
    }

    void bodyDone() {
        rateTimer = cancel(rateTimer);
    }

    void closed() {
        closed = true;
        headTimer = cancel(headTimer);
        rateTimer = cancel(rateTimer);
    }

    private void tick() {
        if (!channel.config().isAutoRead()) {
            return;
        }
        waitedMillis += tickMillis;
        if (waitedMillis >= windowMillis) {
            long needed = limits.minBodyRate() * windowMillis / 1000;
            if (bytesInWindow < needed) {
                close("request body slower than " + limits.minBodyRate() + " bytes/s: " + bytesInWindow
                        + " bytes in " + waitedMillis + " ms");
            } else {
                waitedMillis = 0;
                bytesInWindow = 0;
            }
        }
    }

    private void close(String reason) {
        if (!closed && channel.isOpen()) {
            LOG.info("closing connection from {}: {}", channel.remoteAddress(), reason);
            closed();
            channel.close();
        }
    }

    private static ScheduledFuture<?> cancel(ScheduledFuture<?> timer) {
        if (timer != null) {
            timer.cancel(false);
        }
        return null;
    }
}
