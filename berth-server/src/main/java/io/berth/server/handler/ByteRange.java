package io.berth.server.handler;

import io.berth.oci.ErrorCode;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A byte range: one satisfiable range of a blob from an RFC 9110 {@code Range: bytes=…} header, or the chunk an
 * upload's {@code Content-Range} declares. Multi-range requests and other units are ignored (the whole blob is sent,
 * as RFC 9110 allows).
 */
record ByteRange(long start, long length) {
    private static final Pattern SINGLE = Pattern.compile("bytes=(\\d*)-(\\d*)");
    /** The spec's {@code <start>-<end>}; {@code bytes } or {@code bytes=} before it and a {@code /size} after are let through. */
    private static final Pattern CONTENT_RANGE = Pattern.compile("(?:bytes[ =])?(\\d+)-(\\d+)(?:/(?:\\d+|\\*))?");

    /** A range that cannot be served: answered 416 with {@code Content-Range: bytes *}{@code /size}. */
    static final class Unsatisfiable extends Exception {
        Unsatisfiable() {
            super(null, null, false, false);
        }
    }

    /** The range to send, or empty to send the whole blob. */
    static Optional<ByteRange> parse(Optional<String> header, long size) throws Unsatisfiable {
        if (header.isEmpty()) {
            return Optional.empty();
        }
        Matcher m = SINGLE.matcher(header.get().trim());
        if (!m.matches() || (m.group(1).isEmpty() && m.group(2).isEmpty())) {
            return Optional.empty();
        }
        try {
            if (m.group(1).isEmpty()) {
                long suffix = Long.parseLong(m.group(2));
                if (suffix == 0 || size == 0) {
                    throw new Unsatisfiable();
                }
                long length = Math.min(suffix, size);
                return Optional.of(new ByteRange(size - length, length));
            }
            long start = Long.parseLong(m.group(1));
            long end = m.group(2).isEmpty() ? size - 1 : Math.min(Long.parseLong(m.group(2)), size - 1);
            if (start >= size || end < start) {
                throw new Unsatisfiable();
            }
            return Optional.of(new ByteRange(start, end - start + 1));
        } catch (NumberFormatException tooLarge) {
            throw new Unsatisfiable();
        }
    }

    /**
     * The chunk of a PATCH or PUT's {@code Content-Range: <start>-<end>} (inclusive). A malformed header, or numbers a
     * long cannot hold, is {@code BLOB_UPLOAD_INVALID}; an end before the start is 416 {@code BLOB_UPLOAD_INVALID}.
     */
    static ByteRange ofContentRange(String header) {
        Matcher m = CONTENT_RANGE.matcher(header.trim());
        if (!m.matches()) {
            throw ErrorCode.BLOB_UPLOAD_INVALID.exception("invalid Content-Range: " + header);
        }
        long start;
        long length;
        try {
            start = Long.parseLong(m.group(1));
            long end = Long.parseLong(m.group(2));
            if (end < start) {
                throw ErrorCode.BLOB_UPLOAD_INVALID.exception(416, "invalid Content-Range: " + header);
            }
            length = Math.addExact(end - start, 1);
        } catch (NumberFormatException | ArithmeticException tooLarge) {
            throw ErrorCode.BLOB_UPLOAD_INVALID.exception("Content-Range out of range: " + header);
        }
        return new ByteRange(start, length);
    }

    String contentRange(long size) {
        return "bytes " + start + "-" + (start + length - 1) + "/" + size;
    }
}
