package io.berth.server.blob;

import io.vertx.core.buffer.Buffer;
import java.io.InputStream;
import java.util.List;
import software.amazon.awssdk.core.sync.RequestBody;

/**
 * The bytes of a part or tail as the network delivered them, a list of buffers, sent without first copying them into
 * one array (which would hold a part twice). The SDK may read the body again to retry a request.
 */
final class S3PartBody {
    private S3PartBody() {
    }

    static RequestBody of(List<Buffer> buffers, long length) {
        List<Buffer> parts = List.copyOf(buffers);
        return RequestBody.fromContentProvider(() -> new BuffersInputStream(parts), length, "application/octet-stream");
    }

    static RequestBody of(byte[] bytes, int length) {
        return RequestBody.fromContentProvider(() -> new java.io.ByteArrayInputStream(bytes, 0, length), length,
                "application/octet-stream");
    }

    /** Reads the buffers one after the other. */
    private static final class BuffersInputStream extends InputStream {
        private final List<Buffer> buffers;
        private int index;
        private int position;

        BuffersInputStream(List<Buffer> buffers) {
            this.buffers = buffers;
        }

        @Override
        public int read() {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] into, int offset, int length) {
            while (index < buffers.size() && position == buffers.get(index).length()) {
                index++;
                position = 0;
            }
            if (index == buffers.size()) {
                return -1;
            }
            if (length == 0) {
                return 0;
            }
            Buffer current = buffers.get(index);
            int n = Math.min(length, current.length() - position);
            current.getBytes(position, position + n, into, offset);
            position += n;
            return n;
        }
    }
}
