package io.berth.server.blob;

import io.berth.oci.Digest;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The state of a SHA-256 in progress as bytes, so that an upload hashed on one node continues on another without
 * reading back what it has stored. The JDK's {@link MessageDigest} cannot export its state, but its SHA-256 is the
 * fastest here by far (SHA-NI intrinsics: see {@code Sha256Benchmarks} and docs/storage.md, where Bouncy Castle's
 * exportable digest, in pure Java, hashes at a fraction of the rate), so this reads and writes the fields of the JDK's
 * implementation ({@code sun.security.provider.SHA2}: {@code state}, {@code buffer}, {@code bufOfs},
 * {@code bytesProcessed}). That needs {@code --add-opens java.base/java.security} and
 * {@code java.base/sun.security.provider}: the executable jar's manifest ({@code Add-Opens}) and bin/berth open them.
 *
 * <p>Nothing depends on this for correctness: where the packages are not open, or another JDK lays its digest out
 * otherwise, {@link #export} and {@link #restore} answer empty and the upload layer rehashes the stored bytes; a state
 * that does not cover the stored length is refused; and a resumed upload whose digest does not match is rehashed from
 * its bytes before it is refused.
 *
 * <p>Format (big-endian): the version byte {@value #FORMAT}, the bytes hashed (long), the eight state words (int),
 * then the partial block: its length (int) and its bytes.
 */
final class DigestState {
    private static final Logger LOG = LoggerFactory.getLogger(DigestState.class);
    private static final byte FORMAT = 1;
    private static final int BLOCK = 64;
    private static final Fields FIELDS = Fields.find();

    private DigestState() {
    }

    /** The fields of the JDK's SHA-256, when they can be reached. */
    private record Fields(Class<?> delegateClass, Class<?> spiClass, VarHandle spi, VarHandle state, VarHandle buffer, VarHandle bufOfs,
                          VarHandle bytesProcessed) {
        static Fields find() {
            try {
                MessageDigest probe = Digest.Algorithm.SHA256.newMessageDigest();
                Class<?> delegate = Class.forName("java.security.MessageDigest$Delegate");
                VarHandle spi = MethodHandles.privateLookupIn(delegate, MethodHandles.lookup())
                        .findVarHandle(delegate, "digestSpi", java.security.MessageDigestSpi.class);
                Class<?> sha2 = Class.forName("sun.security.provider.SHA2");
                Class<?> base = Class.forName("sun.security.provider.DigestBase");
                MethodHandles.Lookup inSha2 = MethodHandles.privateLookupIn(sha2, MethodHandles.lookup());
                MethodHandles.Lookup inBase = MethodHandles.privateLookupIn(base, MethodHandles.lookup());
                Fields fields = new Fields(delegate, sha2, spi, inSha2.findVarHandle(sha2, "state", int[].class),
                        inBase.findVarHandle(base, "buffer", byte[].class), inBase.findVarHandle(base, "bufOfs", int.class),
                        inBase.findVarHandle(base, "bytesProcessed", long.class));
                if (!delegate.isInstance(probe) || !sha2.isInstance(spi.get(probe))) {
                    throw new IllegalStateException("SHA-256 is " + probe.getClass().getName() + ", not the JDK's");
                }
                return fields;
            } catch (ReflectiveOperationException | RuntimeException e) {
                LOG.info("the SHA-256 state of an upload cannot be saved ({}): an upload resumed on another node is"
                        + " rehashed from its stored bytes; run with --add-opens java.base/java.security=ALL-UNNAMED"
                        + " --add-opens java.base/sun.security.provider=ALL-UNNAMED (bin/berth and the jar do)", e.toString());
                return null;
            }
        }
    }

    /** Whether states can be saved and restored in this JVM. */
    static boolean supported() {
        return FIELDS != null;
    }

    /** The state of {@code sha256} (a SHA-256 from {@link Digest.Algorithm#newMessageDigest}), when it can be read. */
    static Optional<byte[]> export(MessageDigest sha256) {
        if (FIELDS == null || !FIELDS.delegateClass.isInstance(sha256) || !FIELDS.spiClass.isInstance(spiOf(sha256))) {
            return Optional.empty();
        }
        Object spi = spiOf(sha256);
        int[] state = (int[]) FIELDS.state.get(spi);
        byte[] buffer = (byte[]) FIELDS.buffer.get(spi);
        int bufOfs = (int) FIELDS.bufOfs.get(spi);
        long processed = (long) FIELDS.bytesProcessed.get(spi);
        if (state == null || state.length != 8 || bufOfs < 0 || bufOfs >= BLOCK) {
            return Optional.empty();
        }
        ByteBuffer out = ByteBuffer.allocate(1 + 8 + 8 * 4 + 4 + bufOfs);
        out.put(FORMAT).putLong(processed);
        for (int word : state) {
            out.putInt(word);
        }
        out.putInt(bufOfs).put(buffer, 0, bufOfs);
        return Optional.of(out.array());
    }

    /**
     * A SHA-256 that continues from {@code saved}, when it is a state of this format that covers exactly
     * {@code length} bytes and this JVM can restore it.
     */
    static Optional<MessageDigest> restore(byte[] saved, long length) {
        if (FIELDS == null || saved == null || saved.length < 1 + 8 + 32 + 4) {
            return Optional.empty();
        }
        ByteBuffer in = ByteBuffer.wrap(saved);
        if (in.get() != FORMAT || in.getLong() != length) {
            return Optional.empty();
        }
        int[] words = new int[8];
        for (int i = 0; i < words.length; i++) {
            words[i] = in.getInt();
        }
        int bufOfs = in.getInt();
        if (bufOfs != length % BLOCK || in.remaining() != bufOfs) {
            return Optional.empty();
        }
        MessageDigest sha256 = Digest.Algorithm.SHA256.newMessageDigest();
        if (!FIELDS.delegateClass.isInstance(sha256) || !FIELDS.spiClass.isInstance(spiOf(sha256))) {
            return Optional.empty();
        }
        Object spi = spiOf(sha256);
        System.arraycopy(words, 0, (int[]) FIELDS.state.get(spi), 0, words.length);
        in.get((byte[]) FIELDS.buffer.get(spi), 0, bufOfs);
        FIELDS.bufOfs.set(spi, bufOfs);
        FIELDS.bytesProcessed.set(spi, length);
        return Optional.of(sha256);
    }

    private static Object spiOf(MessageDigest digest) {
        return FIELDS.spi.get(digest);
    }
}
