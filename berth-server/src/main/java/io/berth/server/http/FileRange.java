package io.berth.server.http;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.StandardOpenOption;

/**
 * A {@link Reply.FileRegion}'s bytes as a stream, for {@link StreamSender}: how files go out over HTTP/2, where zero
 * copy is impossible anyway. Vert.x's {@code sendFile} pipes the file into the stream chunk by chunk on its own, and
 * Vert.x 5.0.7 left such writes unflushed at times ({@link Http2Flush}): with it, 8 of 120 blob GETs that curl
 * multiplexed 10 at a time never got their body ({@code Http2InteropTest}). {@link StreamSender} flushes each chunk.
 */
final class FileRange extends InputStream {
    private final InputStream file;
    private long left;

    private FileRange(InputStream file, long length) {
        this.file = file;
        this.left = length;
    }

    /** Opens the region's file at its offset. */
    static InputStream open(Reply.FileRegion region) {
        try {
            FileChannel channel = FileChannel.open(region.path(), StandardOpenOption.READ);
            channel.position(region.offset());
            return new FileRange(Channels.newInputStream(channel), region.length());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        if (left <= 0) {
            return -1;
        }
        int n = file.read(b, off, (int) Math.min(len, left));
        if (n > 0) {
            left -= n;
        }
        return n;
    }

    @Override
    public void close() throws IOException {
        file.close();
    }
}
