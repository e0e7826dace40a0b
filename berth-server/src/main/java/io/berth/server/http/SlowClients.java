package io.berth.server.http;

import io.netty.channel.Channel;
import io.netty.channel.ChannelOutboundBuffer;
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
 * processed or its response written. A connection on which nothing came in and nothing went out for
 * {@link ClientLimits#idleTimeout()} is closed too (a download the client reads slowly is activity). A connection
 * breaking a limit is closed, with one log line. All on the connection's event loop.
 */
final class SlowClients {
    private static final Logger LOG = LoggerFactory.getLogger(SlowClients.class);

    private final Channel channel;
    private final ClientLimits limits;
    private final long windowMillis;
    private final long tickMillis;
    private final long headerTimeoutNanos;
    private final long idleTimeoutNanos;
    /** How often the watch looks: often enough that a limit is enforced within half of it late. */
    private final long watchNanos;
    /** When the head under way began to arrive (the event loop's clock, never 0), or 0 when none is. */
    private long headStartedNanos;
    /** When bytes last came in, or the bytes waiting to go out last changed. */
    private long lastActivityNanos;
    private long lastPendingBytes;
    private ScheduledFuture<?> watch;
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
        this.idleTimeoutNanos = limits.idleTimeout().toNanos();
        this.watchNanos = Math.max(TimeUnit.MILLISECONDS.toNanos(20), Math.min(headerTimeoutNanos, idleTimeoutNanos) / 2);
    }

    /**
     * The connection opened or bytes of a request's head arrived: the head is due within the header timeout. Only
     * times are noted here, on every read; one watch per connection, armed once, compares them (a timer scheduled and
     * cancelled per request, and Netty's idle handler with its listener per write, cost a tenth of the small
     * requests' throughput).
     */
    void headStarted() {
        long now = now();
        lastActivityNanos = now;
        if (headStartedNanos == 0) {
            headStartedNanos = now | 1;
        }
        if (watch == null && !closed) {
            watch = channel.eventLoop().schedule(this::look, watchNanos, TimeUnit.NANOSECONDS);
        }
    }

    /**
     * Closes the connection when a head has been arriving for longer than the header timeout, or when nothing came
     * in and nothing went out for the idle timeout (between requests, and for a client that stopped reading its
     * answer); time in which the server itself does not read (back-pressure, or a pipelined request waiting behind
     * a long answer) counts for neither.
     */
    private void look() {
        watch = null;
        if (closed) {
            return;
        }
        long now = now();
        long pending = pendingBytes();
        if (pending != lastPendingBytes || !channel.config().isAutoRead()) {
            lastPendingBytes = pending;
            lastActivityNanos = now;
        }
        if (headStartedNanos != 0 && now - headStartedNanos >= headerTimeoutNanos) {
            if (channel.config().isAutoRead()) {
                close("request head not complete within " + limits.headerTimeout().toMillis() + " ms");
                return;
            }
            headStartedNanos = now | 1;
        }
        if (now - lastActivityNanos >= idleTimeoutNanos) {
            close("idle for " + limits.idleTimeout().toMillis() + " ms");
            return;
        }
        watch = channel.eventLoop().schedule(this::look, watchNanos, TimeUnit.NANOSECONDS);
    }

    /**
     * A figure of what waits to go out that changes while the client reads: the bytes not yet sent plus the
     * progress within the message being sent (a file region of a download counts as pending until all of it went).
     */
    private long pendingBytes() {
        ChannelOutboundBuffer outbound = channel.unsafe().outboundBuffer();
        return outbound == null ? 0 : outbound.totalPendingWriteBytes() + outbound.currentProgress();
    }

    void headDone() {
        headStartedNanos = 0;
    }

    /** An HTTP/2 connection (its heads are Netty's to limit): from now on only the idle timeout is watched. */
    void idle() {
        headStarted();
        headDone();
    }

    /** Bytes came in. */
    void activity() {
        lastActivityNanos = now();
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
        lastActivityNanos = now();
    }

    void bodyDone() {
        rateTimer = cancel(rateTimer);
    }

    void closed() {
        closed = true;
        watch = cancel(watch);
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
