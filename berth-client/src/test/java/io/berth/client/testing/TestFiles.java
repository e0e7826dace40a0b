package io.berth.client.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;

/** Test content: files of random bytes, reproducible by seed. */
public final class TestFiles {
    private TestFiles() {
    }

    public static Path random(Path file, int size, long seed) throws IOException {
        byte[] bytes = new byte[size];
        new Random(seed).nextBytes(bytes);
        Files.createDirectories(file.toAbsolutePath().getParent());
        return Files.write(file, bytes);
    }
}
