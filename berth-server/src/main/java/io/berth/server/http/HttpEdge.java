package io.berth.server.http;

import io.netty.channel.Channel;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.WriteBufferWaterMark;
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
 *
 * <p>An HTTP/2 connection never turns unwritable ({@link #NEVER_UNWRITABLE}): Vert.x 5.0.7 keeps a stream's
 * writability as a flag that it reads once when the stream opens and then flips on each of Netty's notices. Netty
 * notices a connection's change of writability a moment after it happens, so a stream opened in that moment started
 * with the new state and then flipped away from it, and from then on held its writes while the connection could take
 * them, for good: 7 of 8 streams stopped in {@code StreamSenderHttp2Test}. With the connection always writable, a
 * stream's writability follows only its flow-control windows, of which Netty tells at once; what bounds the bytes a
 * slow client leaves in memory is then {@link StreamSender}'s, per stream.
 */
public final class HttpEdge implements Handler<HttpConnection> {
    static final int MAX_CONCURRENT_STREAMS = 100;
    /** HTTP/1's 8 KiB head, plus HPACK's 32 bytes counted per field and the pseudo-headers. */
    static final int MAX_HEADER_LIST_BYTES = 16 * 1024;
    static final int MAX_RESETS_PER_WINDOW = 200;
    static final int RESET_WINDOW_SECONDS = 30;
    /**
     * How much request body a client may send ahead, per stream and per connection: what an HTTP/2 connection can
     * leave in memory while its uploads wait for storage. With HTTP/2's default of 64 KiB, a 200 MB upload over TLS
     * ran at 65–98 MB/s against 110–206 over HTTP/1.1 (curl); with 1 MiB, 102–144 against 99–182.
     */
    static final int RECEIVE_WINDOW_BYTES = 1 << 20;
    private static final WriteBufferWaterMark NEVER_UNWRITABLE =
            new WriteBufferWaterMark(Integer.MAX_VALUE - 1, Integer.MAX_VALUE);

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
                .setMaxHeaderListSize(MAX_HEADER_LIST_BYTES)
                .setInitialWindowSize(RECEIVE_WINDOW_BYTES);
        options.setHttp2ConnectionWindowSize(RECEIVE_WINDOW_BYTES);
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
            channel.config().setWriteBufferWaterMark(NEVER_UNWRITABLE);
            return;
        }
        http1Opened.increment();
        pipeline.replace("httpDecoder", "httpDecoder", new StrictRequestDecoder(options, slowClients));
        pipeline.addAfter("httpEncoder", "berthFramingGuard", new FramingGuard());
        slowClients.headStarted();
    }
}
