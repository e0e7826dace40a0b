package io.berth.client;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicBoolean;

/** The content of a blob to upload, opened when the upload starts. */
@FunctionalInterface
public interface BlobSource {
    InputStream open() throws IOException;

    static BlobSource of(Path file) {
        return () -> Files.newInputStream(file);
    }

    static BlobSource of(byte[] bytes) {
        return () -> new ByteArrayInputStream(bytes);
    }

    /** A stream that can be read once: the upload streams it without a temporary copy. */
    static BlobSource once(InputStream in) {
        AtomicBoolean opened = new AtomicBoolean();
        return () -> {
            if (opened.getAndSet(true)) {
                throw new IOException("this stream has already been read");
            }
            return in;
        };
    }
}
