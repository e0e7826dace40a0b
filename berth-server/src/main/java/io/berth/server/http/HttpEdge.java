package io.berth.server.http;

import io.netty.channel.Channel;
import io.netty.channel.ChannelPipeline;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.net.impl.ConnectionBase;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The server's edge against malformed and slow clients, installed on each new HTTP/1.x connection through
 * {@code HttpServer.connectionHandler}: {@link ConnectionLimits} may refuse it (from the first connection on,
 * already as it is accepted, by an {@link AcceptGate} on the listening channel); otherwise Vert.x's request decoder
 * is replaced by a {@link StrictRequestDecoder} (framing rules and {@link SlowClients}' time limits) and a
 * {@link FramingGuard} goes between the codec and Vert.x to answer what the decoder rejects.
 *
 * <p>{@link #configure} turns clear-text HTTP/2 off: with it on, Vert.x sets a connection's pipeline up only when
 * its first bytes arrive, after the connection handler ran, and h2c is no registry client's protocol.
 */
public final class HttpEdge implements Handler<HttpConnection> {
    private final ClientLimits limits;
    private final ConnectionLimits connections;
    private final AtomicBoolean gateInstalled = new AtomicBoolean();
    private HttpServerOptions options;

    public HttpEdge(ClientLimits limits) {
        this.limits = limits;
        this.connections = new ConnectionLimits(limits.maxConnections(), limits.maxConnectionsPerAddress());
    }

    /**
     * Sets the options the edge relies on (no h2c) and remembers them for the decoder. The idle timeout is
     * {@link SlowClients}' own, not Vert.x's, whose idle handler adds a promise and a listener to every write.
     */
    public HttpServerOptions configure(HttpServerOptions options) {
        this.options = options.setHttp2ClearTextEnabled(false);
        return this.options;
    }

    /** Connections open now (admitted, not yet closed). */
    public int openConnections() {
        return connections.open();
    }

    /** Connections refused so far because {@code limits.maxConnections} were open. */
    public long refusedByMaxConnections() {
        return connections.refusedByTotal();
    }

    /** Connections refused so far because {@code limits.maxConnectionsPerAddress} were open from their address. */
    public long refusedByMaxConnectionsPerAddress() {
        return connections.refusedByAddress();
    }

    @Override
    public void handle(HttpConnection connection) {
        if (!(connection instanceof ConnectionBase base)) {
            return;
        }
        Channel channel = base.channel();
        if (channel.parent() != null && gateInstalled.compareAndSet(false, true)) {
            channel.parent().pipeline().addFirst("berthAcceptGate", new AcceptGate(connections));
        }
        if (!channel.hasAttr(AcceptGate.ADMITTED) && !connections.admit(channel)) {
            channel.close(); // accepted before the gate was installed
            return;
        }
        ChannelPipeline pipeline = channel.pipeline();
        if (pipeline.get("httpDecoder") == null || pipeline.get("httpEncoder") == null) {
            return;
        }
        SlowClients slowClients = new SlowClients(channel, limits);
        pipeline.replace("httpDecoder", "httpDecoder", new StrictRequestDecoder(options, slowClients));
        pipeline.addAfter("httpEncoder", "berthFramingGuard", new FramingGuard());
        slowClients.headStarted();
    }
}
