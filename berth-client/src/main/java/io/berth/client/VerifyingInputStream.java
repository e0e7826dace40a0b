package io.berth.client;

import io.berth.oci.Digest;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.security.MessageDigest;

/**
 * Passes a blob through and checks it against its descriptor: more bytes than the size, or a different digest at
 * the end, fail the read with an {@link IOException} instead of reaching the caller as good content.
 */
public final class VerifyingInputStream extends FilterInputStream {
    private final Digest expected;
    private final long size;
    private final MessageDigest hash;
    private long read;
    private boolean verified;

    public VerifyingInputStream(InputStream in, Digest expected, long size) {
        super(in);
        this.expected = expected;
        this.size = size;
        this.hash = expected.algorithm().newMessageDigest();
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        int n = read(one, 0, 1);
        return n < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        int n = super.read(b, off, len);
        if (n < 0) {
            verify();
            return -1;
        }
        read += n;
        if (size >= 0 && read > size) {
            throw new IOException("blob " + expected + " is longer than its descriptor's " + size + " bytes");
        }
        hash.update(b, off, n);
        return n;
    }

    @Override
    public long skip(long n) throws IOException {
        byte[] buffer = new byte[8192];
        long skipped = 0;
        while (skipped < n) {
            int r = read(buffer, 0, (int) Math.min(buffer.length, n - skipped));
            if (r < 0) {
                break;
            }
            skipped += r;
        }
        return skipped;
    }

    @Override
    public boolean markSupported() {
        return false;
    }

    private void verify() throws IOException {
        if (verified) {
            return;
        }
        if (size >= 0 && read != size) {
            throw new IOException("blob " + expected + " ended after " + read + " of " + size + " bytes");
        }
        Digest actual = Digest.of(expected.algorithm(), hash.digest());
        if (!actual.equals(expected)) {
            throw new IOException("blob " + expected + " arrived with digest " + actual);
        }
        verified = true;
    }
}
