package io.berth.bench;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Locale;
import java.util.Optional;

/**
 * One keep-alive HTTP/1.1 connection over a plain blocking socket, for the small-blob uploads, the mixed workload and
 * the big downloads: where java.net.http cost the bench about as much CPU as the server it measured, on the same 2
 * cores, or (downloads) was itself the bound. It writes a request in one go and reads the status, the headers it needs
 * and the body (by {@code Content-Length} or chunked), keeping it, feeding it to a digest or only counting it; it
 * reconnects when the server closes the connection. Not thread-safe: one per client thread.
 */
final class PlainHttp implements AutoCloseable {
    /** What a request got back; {@code body} is empty when it went to a digest instead. */
    record Answer(int status, Optional<String> location, String body, long length) {
    }

    private final int port;
    private final int timeoutMillis;
    private final byte[] buffer = new byte[64 * 1024];
    private Socket socket;
    private InputStream in;
    private OutputStream out;

    PlainHttp(int port, int timeoutMillis) {
        this.port = port;
        this.timeoutMillis = timeoutMillis;
    }

    /** Sends {@code method target} with {@code body} (may be empty) and reads the whole answer. */
    Answer send(String method, String target, byte[] body, String contentType) throws IOException {
        return exchange(method, target, body, contentType == null ? null : "Content-Type: " + contentType, null);
    }

    /**
     * GETs {@code target} and feeds a 200 answer's body to {@code digest} as it streams in, without keeping it; with no
     * digest, it only counts the body, read into the one reused buffer.
     */
    Answer get(String target, String accept, MessageDigest digest) throws IOException {
        BodySink okBody = digest == null ? (bytes, offset, length) -> { } : digest::update;
        return exchange("GET", target, new byte[0], accept == null ? null : "Accept: " + accept, okBody);
    }

    /** @param okBody where the body of a 200 answer goes; null to keep it, like the bodies of other answers */
    private Answer exchange(String method, String target, byte[] body, String header, BodySink okBody) throws IOException {
        if (socket == null) {
            connect();
        }
        StringBuilder head = new StringBuilder(160).append(method).append(' ').append(target).append(" HTTP/1.1\r\n")
                .append("Host: 127.0.0.1:").append(port).append("\r\nContent-Length: ").append(body.length).append("\r\n");
        if (header != null) {
            head.append(header).append("\r\n");
        }
        byte[] headBytes = head.append("\r\n").toString().getBytes(StandardCharsets.US_ASCII);
        byte[] request = new byte[headBytes.length + body.length];
        System.arraycopy(headBytes, 0, request, 0, headBytes.length);
        System.arraycopy(body, 0, request, headBytes.length, body.length);
        try {
            out.write(request);
            out.flush();
            return read(method, okBody);
        } catch (IOException e) {
            close();
            throw e;
        }
    }

    private void connect() throws IOException {
        socket = new Socket();
        socket.setTcpNoDelay(true);
        socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), timeoutMillis);
        socket.setSoTimeout(timeoutMillis);
        in = new BufferedInputStream(socket.getInputStream(), 8192);
        out = socket.getOutputStream();
    }

    private Answer read(String method, BodySink okBody) throws IOException {
        String statusLine = line();
        if (!statusLine.startsWith("HTTP/1.1 ") && !statusLine.startsWith("HTTP/1.0 ")) {
            throw new IOException("not an HTTP answer: " + statusLine);
        }
        int status = Integer.parseInt(statusLine.substring(9, 12));
        long length = 0;
        boolean chunked = false;
        boolean close = statusLine.startsWith("HTTP/1.0");
        Optional<String> location = Optional.empty();
        for (String header; !(header = line()).isEmpty(); ) {
            int colon = header.indexOf(':');
            String name = header.substring(0, Math.max(colon, 0)).toLowerCase(Locale.ROOT);
            String value = header.substring(colon + 1).trim();
            switch (name) {
                case "content-length" -> length = Long.parseLong(value);
                case "transfer-encoding" -> chunked = value.toLowerCase(Locale.ROOT).contains("chunked");
                case "connection" -> close = value.equalsIgnoreCase("close");
                case "location" -> location = Optional.of(value);
                default -> { }
            }
        }
        ByteArrayOutputStream kept = new ByteArrayOutputStream();
        long received = 0;
        if (!method.equals("HEAD")) {
            BodySink sink = okBody != null && status == 200 ? okBody : kept::write;
            received = chunked ? chunkedBody(sink) : body(length, sink);
        }
        if (close) {
            close();
        }
        return new Answer(status, location, kept.toString(StandardCharsets.UTF_8), received);
    }

    private interface BodySink {
        void accept(byte[] bytes, int offset, int length);
    }

    private long body(long length, BodySink sink) throws IOException {
        for (long left = length; left > 0; ) {
            int n = in.read(buffer, 0, (int) Math.min(buffer.length, left));
            if (n < 0) {
                throw new IOException("connection closed with " + left + " bytes of the body missing");
            }
            sink.accept(buffer, 0, n);
            left -= n;
        }
        return length;
    }

    private long chunkedBody(BodySink sink) throws IOException {
        long total = 0;
        for (int size; (size = Integer.parseInt(line().split(";", 2)[0].trim(), 16)) > 0; ) {
            total += body(size, sink);
            line();
        }
        while (!line().isEmpty()) {
            // trailers
        }
        return total;
    }

    private String line() throws IOException {
        StringBuilder line = new StringBuilder(64);
        for (int c; (c = in.read()) != '\n'; ) {
            if (c < 0) {
                throw new IOException("connection closed by the server");
            }
            if (c != '\r') {
                line.append((char) c);
            }
        }
        return line.toString();
    }

    @Override
    public void close() {
        if (socket != null) {
            try {
                socket.close();
            } catch (IOException ignored) {
                // closing anyway
            }
            socket = null;
        }
    }
}
