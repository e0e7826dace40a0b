package io.berth.server.testing;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.DefaultHttp2HeadersDecoder;
import io.netty.handler.codec.http2.DefaultHttp2HeadersEncoder;
import io.netty.handler.codec.http2.Http2Exception;
import io.netty.handler.codec.http2.Http2Headers;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.SocketException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;

/**
 * HTTP/2 over TLS, frame by frame: what a well-behaved client never sends (floods of resets, oversized header lists,
 * endless CONTINUATION frames, more streams than allowed) is what the edge's tests need. The connection is negotiated
 * through ALPN ({@code h2}), the preface and an empty SETTINGS sent, and the server's SETTINGS acknowledged as they
 * arrive; header blocks are encoded and decoded with Netty's HPACK.
 */
public final class RawH2 implements AutoCloseable {
    public static final int DATA = 0x0, HEADERS = 0x1, RST_STREAM = 0x3, SETTINGS = 0x4, PING = 0x6, GOAWAY = 0x7,
            WINDOW_UPDATE = 0x8, CONTINUATION = 0x9;
    public static final int END_STREAM = 0x1, ACK = 0x1, END_HEADERS = 0x4, PADDED = 0x8, PRIORITY = 0x20;
    public static final int SETTINGS_MAX_CONCURRENT_STREAMS = 0x3, SETTINGS_INITIAL_WINDOW_SIZE = 0x4,
            SETTINGS_MAX_HEADER_LIST_SIZE = 0x6;
    private static final int MAX_WINDOW = Integer.MAX_VALUE;
    public static final int REFUSED_STREAM = 0x7, CANCEL = 0x8, ENHANCE_YOUR_CALM = 0xb;
    private static final byte[] PREFACE = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(StandardCharsets.US_ASCII);

    /** One frame as read. */
    public record Frame(int type, int flags, int stream, byte[] payload) {
        /** A SETTINGS frame's values by identifier. */
        public Map<Integer, Long> settings() {
            Map<Integer, Long> values = new HashMap<>();
            ByteBuffer buffer = ByteBuffer.wrap(payload);
            while (buffer.remaining() >= 6) {
                values.put(buffer.getShort() & 0xffff, buffer.getInt() & 0xffffffffL);
            }
            return values;
        }

        /** The error code of a RST_STREAM or GOAWAY frame. */
        public int errorCode() {
            ByteBuffer buffer = ByteBuffer.wrap(payload);
            return type == GOAWAY ? buffer.getInt(4) : buffer.getInt(0);
        }
    }

    private final SSLSocket socket;
    private final DataInputStream in;
    private final OutputStream out;
    private final DefaultHttp2HeadersEncoder encoder = new DefaultHttp2HeadersEncoder();
    private final DefaultHttp2HeadersDecoder decoder = new DefaultHttp2HeadersDecoder(true, 1 << 20);
    private final int port;
    private final java.util.ArrayDeque<Frame> held = new java.util.ArrayDeque<>();
    private Map<Integer, Long> serverSettings;

    private RawH2(SSLSocket socket, int port) throws IOException {
        this.socket = socket;
        this.port = port;
        this.in = new DataInputStream(socket.getInputStream());
        this.out = socket.getOutputStream();
    }

    /** Connects, negotiates h2 (fails otherwise) and sends the preface with empty SETTINGS. */
    public static RawH2 connect(int port, SSLContext tls) throws IOException {
        SSLSocket socket = (SSLSocket) tls.getSocketFactory().createSocket("127.0.0.1", port);
        socket.setSoTimeout(10_000);
        SSLParameters parameters = socket.getSSLParameters();
        parameters.setApplicationProtocols(new String[] {"h2"});
        socket.setSSLParameters(parameters);
        socket.startHandshake();
        if (!"h2".equals(socket.getApplicationProtocol())) {
            socket.close();
            throw new IOException("the server did not negotiate h2 but '" + socket.getApplicationProtocol() + "'");
        }
        RawH2 h2 = new RawH2(socket, port);
        h2.out.write(PREFACE);
        h2.frame(SETTINGS, 0, 0, new byte[0]);
        return h2;
    }

    public void frame(int type, int flags, int stream, byte[] payload) throws IOException {
        write(encode(type, flags, stream, payload));
    }

    private static byte[] encode(int type, int flags, int stream, byte[] payload) {
        ByteBuffer frame = ByteBuffer.allocate(9 + payload.length);
        frame.put((byte) (payload.length >>> 16)).put((byte) (payload.length >>> 8)).put((byte) payload.length)
                .put((byte) type).put((byte) flags).putInt(stream).put(payload);
        return frame.array();
    }

    private void write(byte[] bytes) throws IOException {
        synchronized (out) {
            out.write(bytes);
            out.flush();
        }
    }

    /** A request and its reset in one write, so that the server reads the reset before it can answer. */
    public void requestAndReset(int stream, String method, String path) throws Exception {
        byte[] headers = encode(HEADERS, END_HEADERS | END_STREAM, stream, requestHeaders(method, path));
        byte[] reset = encode(RST_STREAM, 0, stream, ByteBuffer.allocate(4).putInt(CANCEL).array());
        byte[] both = java.util.Arrays.copyOf(headers, headers.length + reset.length);
        System.arraycopy(reset, 0, both, headers.length, reset.length);
        write(both);
    }

    /** The header block of a request ({@code :method}, {@code :path} and {@code extra} name-value pairs). */
    public byte[] requestHeaders(String method, String path, String... extra) throws Http2Exception {
        Http2Headers headers = new DefaultHttp2Headers().method(method).path(path).scheme("https")
                .authority("127.0.0.1:" + port);
        for (int i = 0; i < extra.length; i += 2) {
            headers.add(extra[i], extra[i + 1]);
        }
        ByteBuf buffer = Unpooled.buffer();
        encoder.encodeHeaders(0, headers, buffer);
        byte[] block = new byte[buffer.readableBytes()];
        buffer.readBytes(block);
        return block;
    }

    /** A request in one HEADERS frame. */
    public void request(int stream, boolean endStream, String method, String path, String... extra) throws Exception {
        frame(HEADERS, END_HEADERS | (endStream ? END_STREAM : 0), stream, requestHeaders(method, path, extra));
    }

    public void reset(int stream, int errorCode) throws IOException {
        frame(RST_STREAM, 0, stream, ByteBuffer.allocate(4).putInt(errorCode).array());
    }

    /**
     * Opens the flow-control windows as wide as HTTP/2 allows, for the connection and every stream: from now on the
     * server may send as fast as it can, however little this client reads.
     */
    public void openWindows() throws IOException {
        frame(SETTINGS, 0, 0, ByteBuffer.allocate(6).putShort((short) SETTINGS_INITIAL_WINDOW_SIZE).putInt(MAX_WINDOW)
                .array());
        frame(WINDOW_UPDATE, 0, 0, ByteBuffer.allocate(4).putInt(MAX_WINDOW - 65_535).array());
    }

    public void ping() throws IOException {
        frame(PING, 0, 0, new byte[8]);
    }

    /**
     * The next frame other than the server's SETTINGS (acknowledged here, and kept for {@link #serverSettings}) and
     * PING acknowledgements; null when the server closed the connection.
     */
    public Frame next() throws IOException {
        if (!held.isEmpty()) {
            return held.poll();
        }
        for (Frame frame; (frame = read()) != null; ) {
            if (!(frame.type == SETTINGS || frame.type == PING && (frame.flags & ACK) != 0)) {
                return frame;
            }
        }
        return null;
    }

    /** The server's SETTINGS (its first frame); the frames read meanwhile are kept for {@link #next}. */
    public Map<Integer, Long> serverSettings() throws IOException {
        while (serverSettings == null) {
            Frame frame = read();
            if (frame == null) {
                throw new EOFException("closed before SETTINGS");
            }
            if (frame.type != SETTINGS && !(frame.type == PING && (frame.flags & ACK) != 0)) {
                held.add(frame);
            }
        }
        return serverSettings;
    }

    /** One frame, SETTINGS acknowledged; null when the server closed the connection. */
    private Frame read() throws IOException {
        Frame frame;
        try {
            int length = in.readUnsignedByte() << 16 | in.readUnsignedByte() << 8 | in.readUnsignedByte();
            int type = in.readUnsignedByte();
            int flags = in.readUnsignedByte();
            int stream = in.readInt() & 0x7fffffff;
            byte[] payload = new byte[length];
            in.readFully(payload);
            frame = new Frame(type, flags, stream, payload);
        } catch (EOFException | SocketException e) {
            return null;
        }
        if (frame.type == SETTINGS && (frame.flags & ACK) == 0) {
            serverSettings = frame.settings();
            try {
                frame(SETTINGS, ACK, 0, new byte[0]);
            } catch (SocketException closed) {
                // the server has closed the connection since it sent them: the frames it sent are still to be read
            }
        }
        return frame;
    }

    /** A HEADERS frame's block, decoded. */
    public Http2Headers decode(Frame headers) throws Http2Exception {
        byte[] payload = headers.payload();
        int from = 0;
        int to = payload.length;
        if ((headers.flags() & PADDED) != 0) {
            to -= payload[from++] & 0xff;
        }
        if ((headers.flags() & PRIORITY) != 0) {
            from += 5; // stream dependency and weight
        }
        return decoder.decodeHeaders(headers.stream(), Unpooled.wrappedBuffer(payload, from, to - from));
    }

    /** The frames up to and including the end of {@code stream} (END_STREAM or RST_STREAM), its DATA gathered. */
    public Response response(int stream) throws Exception {
        Http2Headers headers = null;
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        for (Frame frame; (frame = next()) != null; ) {
            if (frame.type == GOAWAY) {
                return new Response(headers, body.toByteArray(), null, frame);
            }
            if (frame.stream != stream) {
                continue;
            }
            if (frame.type == RST_STREAM) {
                return new Response(headers, body.toByteArray(), frame, null);
            }
            if (frame.type == HEADERS && headers == null) {
                headers = decode(frame);
            } else if (frame.type == DATA) {
                body.write(frame.payload);
            }
            if ((frame.flags & END_STREAM) != 0) {
                return new Response(headers, body.toByteArray(), null, null);
            }
        }
        return new Response(headers, body.toByteArray(), null, null);
    }

    /** A stream's outcome: its headers and body, or the reset or GOAWAY that ended it. */
    public record Response(Http2Headers headers, byte[] body, Frame reset, Frame goAway) {
        public int status() {
            return headers == null ? 0 : headers.getInt(Http2Headers.PseudoHeaderName.STATUS.value(), 0);
        }
    }

    /** Reads frames until the server closes the connection; the GOAWAY among them, if any. */
    public Frame untilClosed() throws IOException {
        Frame goAway = null;
        for (Frame frame; (frame = next()) != null; ) {
            if (frame.type == GOAWAY) {
                goAway = frame;
            }
        }
        return goAway;
    }

    public void setReadTimeout(int millis) throws SocketException {
        socket.setSoTimeout(millis);
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
