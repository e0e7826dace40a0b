package io.berth.server.http;

import io.netty.channel.Channel;
import io.netty.channel.ChannelPipeline;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.net.impl.ConnectionBase;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;

/**
 * The server's edge against malformed and slow clients, installed on each new HTTP/1.x connection through
 * {@code HttpServer.connectionHandler}: {@link ConnectionLimits} may refuse it (from the first connection on,
 * already as it is accepted, by an {@link AcceptGate} on the listening channel); otherwise Vert.x's request decoder
 * is replaced by a {@link StrictRequestDecoder} (framing rules and {@link SlowClients}' time limits) and a
 * {@link FramingGuard} goes between the codec and Vert.x to answer what the decoder rejects.
 *
 * <p>{@link #configure} turns clear-text HTTP/2 off: with it on, Vert.x sets a connection's pipeline up only when
 * its first bytes arrive, after the connection handler ran, and h2c is no registry client's protocol. HTTP/2 comes
 * only over TLS, through ALPN ({@link io.berth.server.tls.ServerTls}), with its own limits, advertised in the
 * server's SETTINGS and enforced by Netty: at most {@value #MAX_CONCURRENT_STREAMS} streams open at once per
 * connection (one more is refused with {@code REFUSED_STREAM}), a header list of at most
 * {@value #MAX_HEADER_LIST_BYTES} bytes decoded (across CONTINUATION frames; the stream is answered 431 or reset), and at
 * most {@value #MAX_RESETS_PER_WINDOW} streams reset by the client per {@value #RESET_WINDOW_SECONDS} s ("rapid reset",
 * CVE-2023-44487: the connection is closed with GOAWAY {@code ENHANCE_YOUR_CALM}). An HTTP/2 connection gets the
 * same connection limits and the same idle timeout as HTTP/1 ({@link SlowClients}, told of every byte that comes in
 * by {@link Http2Watch}); its request bodies are bounded by flow control.
 */
public final class HttpEdge implements Handler<HttpConnection> {
    static final int MAX_CONCURRENT_STREAMS = 100;
    /** HTTP/1's 8 KiB head, plus HPACK's 32 bytes counted per field and the pseudo-headers. */
    static final int MAX_HEADER_LIST_BYTES = 16 * 1024;
    static final int MAX_RESETS_PER_WINDOW = 200;
    static final int RESET_WINDOW_SECONDS = 30;

    private final ClientLimits limits;
    private final ConnectionLimits connections;
    private final AtomicBoolean gateInstalled = new AtomicBoolean();
    private final LongAdder http1Opened = new LongAdder();
    private final LongAdder http2Opened = new LongAdder();
    private HttpServerOptions options;

    public HttpEdge(ClientLimits limits) {
        this.limits = limits;
        this.connections = new ConnectionLimits(limits.maxConnections(), limits.maxConnectionsPerAddress());
    }

    /**
     * Sets the options the edge relies on (no h2c, HTTP/2's limits) and remembers them for the decoder. The idle
     * timeout is {@link SlowClients}' own, not Vert.x's, whose idle handler adds a promise and a listener to every write.
     */
    public HttpServerOptions configure(HttpServerOptions options) {
        options.getInitialSettings()
                .setMaxConcurrentStreams(MAX_CONCURRENT_STREAMS)
                .setMaxHeaderListSize(MAX_HEADER_LIST_BYTES);
        this.options = options.setHttp2ClearTextEnabled(false)
                .setHttp2RstFloodMaxRstFramePerWindow(MAX_RESETS_PER_WINDOW)
                .setHttp2RstFloodWindowDuration(RESET_WINDOW_SECONDS)
                .setHttp2RstFloodWindowDurationTimeUnit(TimeUnit.SECONDS);
        return this.options;
    }

    /** Connections served so far with HTTP/1.x ({@code http2} false) or HTTP/2. */
    public long opened(boolean http2) {
        return (http2 ? http2Opened : http1Opened).sum();
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
        SlowClients slowClients = new SlowClients(channel, limits);
        if (pipeline.get("httpDecoder") == null || pipeline.get("httpEncoder") == null) {
            http2Opened.increment(); // no h2c, so HTTP/2 negotiated through ALPN
            pipeline.addFirst("berthHttp2Watch", new Http2Watch(slowClients));
            return;
        }
        http1Opened.increment();
        pipeline.replace("httpDecoder", "httpDecoder", new StrictRequestDecoder(options, slowClients));
        pipeline.addAfter("httpEncoder", "berthFramingGuard", new FramingGuard());
        slowClients.headStarted();
    }
}
