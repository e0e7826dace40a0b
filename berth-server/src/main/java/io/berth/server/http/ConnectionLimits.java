package io.berth.server.http;

import io.netty.channel.Channel;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Counts open connections, in all and per client address, and refuses — closes at once — a connection beyond
 * either limit, so that clients holding many connections cannot exhaust memory or file descriptors. Refusals are
 * logged at most once per {@link #LOG_INTERVAL_NANOS}, with how many there were since the last line.
 */
final class ConnectionLimits {
    private static final Logger LOG = LoggerFactory.getLogger(ConnectionLimits.class);
    private static final long LOG_INTERVAL_NANOS = 10_000_000_000L;

    private final int max;
    private final int maxPerAddress;
    private final AtomicInteger open = new AtomicInteger();
    private final ConcurrentHashMap<InetAddress, Integer> perAddress = new ConcurrentHashMap<>();
    private final AtomicLong refusedSinceLog = new AtomicLong();
    private final LongAdder refusedByTotal = new LongAdder();
    private final LongAdder refusedByAddress = new LongAdder();
    private final AtomicLong lastLog = new AtomicLong(System.nanoTime() - LOG_INTERVAL_NANOS);

    ConnectionLimits(int max, int maxPerAddress) {
        this.max = max;
        this.maxPerAddress = maxPerAddress;
    }

    /** Counts the channel until it closes and returns true, or returns false if it is one too many. */
    boolean admit(Channel channel) {
        InetAddress address = address(channel.remoteAddress());
        if (open.incrementAndGet() > max) {
            open.decrementAndGet();
            refusedByTotal.increment();
            refused(channel, "already " + max + " connections open (limits.maxConnections)");
            return false;
        }
        if (address != null && perAddress.merge(address, 1, Integer::sum) > maxPerAddress) {
            release(address);
            refusedByAddress.increment();
            refused(channel, "already " + maxPerAddress + " connections open from this address (limits.maxConnectionsPerAddress)");
            return false;
        }
        channel.closeFuture().addListener(closed -> release(address));
        return true;
    }

    int open() {
        return open.get();
    }

    /** Connections refused so far because {@code limits.maxConnections} were open. */
    long refusedByTotal() {
        return refusedByTotal.sum();
    }

    /** Connections refused so far because {@code limits.maxConnectionsPerAddress} were open from their address. */
    long refusedByAddress() {
        return refusedByAddress.sum();
    }

    private void release(InetAddress address) {
        open.decrementAndGet();
        if (address != null) {
            perAddress.computeIfPresent(address, (a, count) -> count <= 1 ? null : count - 1);
        }
    }

    private void refused(Channel channel, String reason) {
        long refused = refusedSinceLog.incrementAndGet();
        long now = System.nanoTime();
        long last = lastLog.get();
        if (now - last >= LOG_INTERVAL_NANOS && lastLog.compareAndSet(last, now)) {
            refusedSinceLog.addAndGet(-refused);
            LOG.warn("refused connection from {}: {} ({} refused since the last such line)",
                    channel.remoteAddress(), reason, refused);
        }
    }

    private static InetAddress address(SocketAddress address) {
        return address instanceof InetSocketAddress inet ? inet.getAddress() : null;
    }
}
