package io.berth.server.edge;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Exact bytes on a plain socket, and what came back: the edge tests speak HTTP/1.x by hand. */
final class RawHttp {
    private static final Pattern STATUS_LINE = Pattern.compile("HTTP/[0-9]\\.[0-9] (\\d{3}) ");

    private RawHttp() {
    }

    /** What the server sent until it closed the connection ({@code closed}) or stayed silent for {@code waitMillis}. */
    record Reply(String text, boolean closed, long millis) {
        int statusLines() {
            Matcher m = STATUS_LINE.matcher(text);
            int count = 0;
            while (m.find()) {
                count++;
            }
            return count;
        }

        int status() {
            Matcher m = STATUS_LINE.matcher(text);
            return m.find() ? Integer.parseInt(m.group(1)) : -1;
        }

        String body() {
            int end = text.indexOf("\r\n\r\n");
            return end < 0 ? "" : text.substring(end + 4);
        }

        String head() {
            int end = text.indexOf("\r\n\r\n");
            return end < 0 ? text : text.substring(0, end);
        }
    }

    static Reply exchange(int port, byte[] request, int waitMillis) throws IOException {
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setSoTimeout(waitMillis);
            long start = System.nanoTime();
            socket.getOutputStream().write(request);
            socket.getOutputStream().flush();
            return read(socket.getInputStream(), start);
        }
    }

    /** Reads until end of stream, a reset, or a read timeout (then {@code closed} is false). */
    static Reply read(InputStream in, long startNanos) throws IOException {
        ByteArrayOutputStream received = new ByteArrayOutputStream();
        byte[] buffer = new byte[8192];
        boolean closed;
        try {
            for (int n; (n = in.read(buffer)) >= 0; ) {
                received.write(buffer, 0, n);
            }
            closed = true;
        } catch (SocketTimeoutException e) {
            closed = false;
        } catch (IOException e) {
            closed = true; // reset by the server
        }
        return new Reply(received.toString(StandardCharsets.ISO_8859_1), closed, (System.nanoTime() - startNanos) / 1_000_000);
    }

    static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.ISO_8859_1);
    }
}
