package io.berth.bench.jmh;

import io.berth.oci.Digest;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.security.MessageDigest;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.bouncycastle.crypto.digests.SHA256Digest;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * Issue #19: what an upload's running SHA-256 costs with the JDK's digest (SHA-NI intrinsics, whose state Berth saves
 * through the fields of its implementation, io.berth.server.blob.DigestState) against Bouncy Castle's SHA256Digest
 * (pure Java, whose state it exports itself): time to hash 1 MiB (MB/s = 1.048576 / ms per op), and to save and
 * restore the state. Run with {@code bench/run --jmh Sha256}; the forked JVM gets the packages DigestState needs open,
 * as bin/berth does.
 */
@Fork(jvmArgsAppend = {"--add-opens=java.base/java.security=ALL-UNNAMED",
        "--add-opens=java.base/sun.security.provider=ALL-UNNAMED"})
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class Sha256Benchmarks {
    byte[] mib;
    MessageDigest jdk;
    SHA256Digest bc;
    byte[] bcState;
    MethodHandle export;
    MethodHandle restore;
    byte[] jdkState;

    @Setup
    public void setup() throws Throwable {
        mib = new byte[1 << 20];
        new SplittableRandom(19).nextBytes(mib);
        jdk = Digest.Algorithm.SHA256.newMessageDigest();
        bc = new SHA256Digest();
        bc.update(mib, 0, 1000);
        bcState = bc.getEncodedState();
        Class<?> state = Class.forName("io.berth.server.blob.DigestState");
        MethodHandles.Lookup lookup = MethodHandles.privateLookupIn(state, MethodHandles.lookup());
        export = lookup.findStatic(state, "export", MethodType.methodType(java.util.Optional.class, MessageDigest.class));
        restore = lookup.findStatic(state, "restore",
                MethodType.methodType(java.util.Optional.class, byte[].class, long.class));
        MessageDigest partial = Digest.Algorithm.SHA256.newMessageDigest();
        partial.update(mib, 0, 1000);
        jdkState = (byte[]) ((java.util.Optional<?>) export.invoke(partial)).orElseThrow(
                () -> new IllegalStateException("run with --add-opens java.base/java.security=ALL-UNNAMED"
                        + " --add-opens java.base/sun.security.provider=ALL-UNNAMED"));
    }

    @Benchmark
    public byte[] jdkSha256Of1MiB() {
        jdk.update(mib);
        return jdk.digest();
    }

    @Benchmark
    public byte[] bouncyCastleSha256Of1MiB() {
        byte[] out = new byte[32];
        bc.update(mib, 0, mib.length);
        bc.doFinal(out, 0);
        return out;
    }

    @Benchmark
    public Object jdkStateSavedAndRestored() throws Throwable {
        java.util.Optional<?> saved = (java.util.Optional<?>) export.invoke(jdk);
        return restore.invoke((byte[]) saved.orElseThrow(), 0L);
    }

    @Benchmark
    public Object bouncyCastleStateSavedAndRestored() {
        return new SHA256Digest(new SHA256Digest(bcState).getEncodedState());
    }
}
