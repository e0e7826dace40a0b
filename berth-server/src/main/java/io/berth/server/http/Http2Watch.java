package io.berth.server.http;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;

/**
 * First in an HTTP/2 connection's pipeline: tells {@link SlowClients} of every read, so that its idle timeout holds
 * for HTTP/2 as for HTTP/1 (frames of any stream, pings and window updates are activity; a connection on which
 * nothing comes in and nothing goes out for {@link ClientLimits#idleTimeout()} is closed).
 */
final class Http2Watch extends ChannelInboundHandlerAdapter {
    private final SlowClients slowClients;

    Http2Watch(SlowClients slowClients) {
        this.slowClients = slowClients;
        slowClients.idle();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        slowClients.activity();
        ctx.fireChannelRead(msg);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        slowClients.closed();
        ctx.fireChannelInactive();
    }
}
