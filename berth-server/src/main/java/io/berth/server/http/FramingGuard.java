package io.berth.server.http;

import io.berth.oci.ErrorCode;
import io.berth.server.log.LogText;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.netty.util.ReferenceCountUtil;
import java.nio.channels.ClosedChannelException;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sits between the HTTP codec and Vert.x and answers what the decoder could not or would not decode — a broken
 * rule of {@link RequestHeadRules}, a malformed chunked body, a request line or head over the size limits —
 * itself, with the registry's JSON error envelope and {@code Connection: close}, then closes the connection.
 * Vert.x never sees such a message (it would answer with an empty body, or drop a bad chunk without a word),
 * and nothing read or written after the rejection passes, so no bytes after a doubtful head are ever served.
 * If the response to the request had already begun, the connection is only closed.
 */
final class FramingGuard extends ChannelDuplexHandler {
    private static final Logger LOG = LoggerFactory.getLogger(FramingGuard.class);

    private long requests;
    private long responses;
    private boolean rejected;

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (rejected) {
            ReferenceCountUtil.release(msg);
            return;
        }
        DecoderResult result = msg instanceof HttpObject object ? object.decoderResult() : DecoderResult.SUCCESS;
        if (result.isFailure()) {
            boolean head = msg instanceof HttpRequest request && request.method().equals(HttpMethod.HEAD);
            boolean answerable = msg instanceof HttpRequest || responses < requests;
            ReferenceCountUtil.release(msg);
            reject(ctx, result.cause(), head, answerable);
            return;
        }
        if (msg instanceof HttpRequest) {
            requests++;
        }
        ctx.fireChannelRead(msg);
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) throws Exception {
        if (rejected) {
            ReferenceCountUtil.release(msg);
            promise.tryFailure(new ClosedChannelException());
            return;
        }
        if (msg instanceof HttpResponse response && response.status().code() >= 200) {
            responses++;
        }
        super.write(ctx, msg, promise);
    }

    private void reject(ChannelHandlerContext ctx, Throwable cause, boolean head, boolean answerable) {
        rejected = true;
        if (!answerable) {
            LOG.debug("closing connection from {} mid-response: {}", ctx.channel().remoteAddress(), cause.toString());
            ctx.close();
            return;
        }
        FramingException error = classify(cause);
        String requestId = UUID.randomUUID().toString();
        LOG.debug("request {}: answering {} to {} and closing: {}", requestId, error.status(),
                ctx.channel().remoteAddress(), LogText.escaped(error.getMessage()));
        byte[] body = ErrorRenderer.envelope(error.code(), error.getMessage(), requestId);
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1,
                HttpResponseStatus.valueOf(error.status()), head ? Unpooled.EMPTY_BUFFER : Unpooled.wrappedBuffer(body));
        response.headers().set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON)
                .set(HttpHeaderNames.CONTENT_LENGTH, body.length)
                .set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE)
                .set(RequestId.HEADER, requestId);
        ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
    }

    /** The status, code and detail for a decoder failure: ours as thrown, Netty's by kind. */
    private static FramingException classify(Throwable cause) {
        String message = String.valueOf(cause.getMessage());
        if (cause instanceof FramingException framing) {
            return framing;
        } else if (cause instanceof TooLongHttpLineException) {
            return new FramingException(414, ErrorCode.NAME_INVALID, "request line too long");
        } else if (cause instanceof TooLongHttpHeaderException) {
            return new FramingException(431, ErrorCode.SIZE_INVALID, "request header fields too large");
        } else if (cause instanceof TooLongFrameException) {
            return FramingException.head("request too large: " + truncate(message));
        } else if (message.contains("Content-Length")) {
            return FramingException.length(truncate(message));
        }
        return FramingException.head("malformed request: " + truncate(message));
    }

    private static String truncate(String message) {
        return message.length() <= 160 ? message : message.substring(0, 160) + "…";
    }
}
