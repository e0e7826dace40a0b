package io.berth.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * The least work a server can do for a monolithic blob upload on this machine: take one HTTP PUT from curl over
 * loopback, hash its body with SHA-256, write it to a file on the data directories' file system and {@code fdatasync}
 * it, then answer 201. No registry, no framework: one thread, 1 MiB reads straight into a direct buffer that is hashed
 * and written as it is. Its rate is the ceiling for the bench's big uploads, which do all of that and more.
 */
final class BareReceiver {
    private static final int BUFFER = Sizes.MIB;

    private BareReceiver() {
    }

    /** Sends {@code body} with curl to a bare receiver that writes it under {@code scratch}; the rate in MiB/s. */
    static double upload(LoadTools tools, String label, Path body, Path scratch) throws Exception {
        Path target = scratch.resolve("bare-receiver.bin");
        try (ServerSocketChannel server = ServerSocketChannel.open()
                .bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
            CompletableFuture<Long> received = CompletableFuture.supplyAsync(() -> receive(server, target));
            String url = "http://127.0.0.1:" + ((InetSocketAddress) server.getLocalAddress()).getPort() + "/blob";
            long t0 = System.nanoTime();
            int status = tools.curlPut(label, url, body, 60);
            double seconds = (System.nanoTime() - t0) / 1e9;
            long bytes = received.get(10, TimeUnit.SECONDS);
            if (status != 201 || bytes != Files.size(body)) {
                throw new IOException("bare receiver: curl saw " + status + ", " + bytes + " of " + Files.size(body) + " bytes written");
            }
            return bytes / seconds / Sizes.MIB;
        } finally {
            Files.deleteIfExists(target);
        }
    }

    private static long receive(ServerSocketChannel server, Path target) {
        try (SocketChannel connection = server.accept();
             FileChannel file = FileChannel.open(target, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
                     StandardOpenOption.WRITE)) {
            ByteBuffer buffer = ByteBuffer.allocateDirect(BUFFER);
            long length = readHead(connection, buffer);
            MessageDigest sha256 = Content.sha256();
            long written = 0;
            while (true) {
                buffer.flip();
                written += buffer.remaining();
                sha256.update(buffer.duplicate());
                while (buffer.hasRemaining()) {
                    file.write(buffer);
                }
                buffer.clear();
                if (written >= length) {
                    break;
                }
                buffer.limit((int) Math.min(BUFFER, length - written));
                if (connection.read(buffer) < 0) {
                    throw new IOException("the client closed after " + written + " of " + length + " bytes");
                }
            }
            file.force(false);
            sha256.digest();
            connection.write(ByteBuffer.wrap("HTTP/1.1 201 Created\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
                    .getBytes(StandardCharsets.US_ASCII)));
            return written;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Reads up to the end of the request head and returns the body's Content-Length; whatever of the body came with the
     * head is left in {@code buffer}, ready to be flipped.
     */
    private static long readHead(SocketChannel connection, ByteBuffer buffer) throws IOException {
        while (true) {
            if (connection.read(buffer) < 0) {
                throw new IOException("the client closed before the end of the request head");
            }
            String seen = StandardCharsets.ISO_8859_1.decode(buffer.duplicate().flip()).toString();
            int end = seen.indexOf("\r\n\r\n");
            if (end >= 0) {
                long length = -1;
                for (String line : seen.substring(0, end).split("\r\n")) {
                    if (line.toLowerCase(Locale.ROOT).startsWith("content-length:")) {
                        length = Long.parseLong(line.substring(line.indexOf(':') + 1).trim());
                    }
                }
                if (length < 0) {
                    throw new IOException("no Content-Length in the request head");
                }
                buffer.flip().position(end + 4);
                buffer.compact();
                return length;
            }
        }
    }
}
