package io.berth.server.http;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.AttributeKey;

/**
 * Applies {@link ConnectionLimits} on the listening channel, to each connection as it is accepted, before Vert.x
 * registers it and builds its per-connection state (about 9 KiB). Refusing only later, on the one event loop the
 * server's connections share, lets a fast burst of connections pile up faster than they are refused: 10,000 at
 * loopback speed exhausted a 64 MiB heap although all but 512 were refused.
 */
final class AcceptGate extends ChannelInboundHandlerAdapter {
    /** Set on a connection this gate admitted (and counts until it closes). */
    static final AttributeKey<Boolean> ADMITTED = AttributeKey.valueOf("berth.admitted");

    private final ConnectionLimits limits;

    AcceptGate(ConnectionLimits limits) {
        this.limits = limits;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof Channel child) {
            if (!limits.admit(child)) {
                child.unsafe().closeForcibly();
                return;
            }
            child.attr(ADMITTED).set(Boolean.TRUE);
        }
        ctx.fireChannelRead(msg);
    }
}
