package io.berth.server.http;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.LastHttpContent;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.impl.VertxHttpRequestDecoder;
import java.util.Arrays;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Vert.x's request decoder with {@link RequestHeadRules} applied to each request head before its body is read,
 * and the progress of each request reported to {@link SlowClients}. A rule broken makes the decoder emit a failed
 * message and discard every later byte of the connection (Netty's {@code BAD_MESSAGE} state), so a body or a
 * second request after a doubtful head is never parsed. A connection whose first byte cannot start a request
 * (a TLS ClientHello on the plain port, say) is closed at once instead of waiting for a line end.
 *
 * <p>The decoder consumes the head line by line, possibly over several reads; the bytes it consumed while
 * reading a head are kept (up to the decoder's own limits) so that the rules see them as sent.
 */
final class StrictRequestDecoder extends VertxHttpRequestDecoder {
    private static final Logger LOG = LoggerFactory.getLogger(StrictRequestDecoder.class);

    private final SlowClients slowClients;
    private final int maxHeadBytes;
    /** The current head's bytes so far ({@code headLength} of them), in a buffer the connection's requests reuse. */
    private byte[] head = new byte[0];
    private int headLength;
    private boolean firstByteSeen;
    private boolean inBody;
    private boolean headChecked;
    private boolean headTooLarge;
    private ByteBuf reading;
    private int readingFrom;

    StrictRequestDecoder(HttpServerOptions options, SlowClients slowClients) {
        super(options);
        this.slowClients = slowClients;
        this.maxHeadBytes = options.getMaxInitialLineLength() + options.getMaxHeaderSize() + 1024;
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) throws Exception {
        if (!firstByteSeen && in.isReadable()) {
            firstByteSeen = true;
            if (!canStartRequest(in.getByte(in.readerIndex()))) {
                LOG.debug("closing connection from {}: first byte 0x{} cannot start an HTTP request",
                        ctx.channel().remoteAddress(), Integer.toHexString(in.getByte(in.readerIndex()) & 0xff));
                in.skipBytes(in.readableBytes());
                ctx.close();
                return;
            }
        }
        boolean wasInBody = inBody;
        if (!wasInBody && in.isReadable()) {
            slowClients.headStarted();
        }
        reading = in;
        readingFrom = in.readerIndex();
        int before = out.size();
        super.decode(ctx, in, out);
        int consumed = in.readerIndex() - readingFrom;
        if (wasInBody) {
            slowClients.bodyRead(consumed);
        } else if (!headChecked) {
            keepHeadBytes(in, readingFrom, consumed);
        }
        reading = null;
        for (int i = before; i < out.size(); i++) {
            if (out.get(i) instanceof LastHttpContent) {
                inBody = false;
                headChecked = false;
                slowClients.bodyDone();
            }
        }
        if (inBody) {
            slowClients.bodyAwaited();
        }
    }

    private void keepHeadBytes(ByteBuf in, int from, int count) {
        if (headLength + count > maxHeadBytes) {
            headTooLarge = true;
            return;
        }
        if (headLength + count > head.length) {
            head = Arrays.copyOf(head, Math.min(maxHeadBytes, Math.max(512, 2 * (headLength + count))));
        }
        in.getBytes(from, head, headLength, count);
        headLength += count;
    }

    @Override
    protected HttpMessage createMessage(String[] initialLine) {
        RequestHeadRules.checkRequestLine(initialLine);
        return super.createMessage(initialLine);
    }

    /** Called by Netty once per request, right after its head and before any of its body: where the rules apply. */
    @Override
    protected boolean isContentAlwaysEmpty(HttpMessage message) {
        if (!headChecked) {
            headChecked = true;
            if (reading != null) {
                keepHeadBytes(reading, readingFrom, reading.readerIndex() - readingFrom);
            }
            int length = headLength;
            headLength = 0;
            if (headTooLarge) {
                throw FramingException.head("request head too large");
            }
            RequestHeadRules.checkHead(message.protocolVersion(), head, length);
            slowClients.headDone();
            inBody = true;
        }
        return super.isContentAlwaysEmpty(message);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        slowClients.closed();
        super.channelInactive(ctx);
    }

    /** A method's first character (RFC 9110 token) or the empty line a client may send before a request. */
    private static boolean canStartRequest(byte b) {
        return b == '\r' || b == '\n' || b > 0x20 && b < 0x7f && "\"(),/:;<=>?@[\\]{}".indexOf(b) < 0;
    }
}
