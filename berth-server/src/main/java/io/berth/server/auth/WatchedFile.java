package io.berth.server.auth;

import io.berth.server.log.LogText;
import io.berth.server.startup.ConfigException;
import io.berth.server.startup.Preflight;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A file read into a value and read again when its modification time or size changes ({@link #poll}, called every
 * few seconds off the event loop). A version that cannot be read or parsed is logged and the last good value stays.
 */
final class WatchedFile<T> implements Supplier<T> {
    private static final Logger LOG = LoggerFactory.getLogger(WatchedFile.class);

    /** Turns the file's bytes into the value; throws when they are not usable. */
    @FunctionalInterface
    interface Parser<T> {
        T parse(byte[] content) throws Exception;
    }

    private record Stamp(java.time.Instant modified, long size) {
    }

    private final Path path;
    private final String what;
    private final Parser<T> parser;
    private final AtomicReference<T> value = new AtomicReference<>();
    private volatile Stamp stamp;

    private WatchedFile(Path path, String what, Parser<T> parser) {
        this.path = path;
        this.what = what;
        this.parser = parser;
    }

    /** Reads the file now; a file that cannot be used at start is an error. */
    static <T> WatchedFile<T> load(Path path, String what, Parser<T> parser) {
        WatchedFile<T> file = new WatchedFile<>(path, what, parser);
        try {
            file.stamp = stamp(path);
            file.value.set(parser.parse(Files.readAllBytes(path)));
        } catch (IOException e) {
            throw new ConfigException(Preflight.fileProblem(what, path, null, e, "fix the path"), e);
        } catch (Exception e) {
            throw new ConfigException(what + " " + path + " cannot be used (" + Preflight.rootMessage(e)
                    + "); fix the file", e);
        }
        return file;
    }

    @Override
    public T get() {
        return value.get();
    }

    /** Reloads when the file changed; returns whether a new version is in force. */
    boolean poll() {
        Stamp now;
        try {
            now = stamp(path);
        } catch (IOException e) {
            if (stamp != null) {
                LOG.warn("{} {} cannot be read ({}); keeping the last good version", what, path, e.toString());
                stamp = null;
            }
            return false;
        }
        if (now.equals(stamp)) {
            return false;
        }
        stamp = now;
        try {
            value.set(parser.parse(Files.readAllBytes(path)));
            LOG.info("reloaded {} {}", what, path);
            return true;
        } catch (Exception e) {
            LOG.warn("{} {} is not usable ({}); keeping the last good version", what, path,
                    LogText.escaped(e.getMessage()));
            return false;
        }
    }

    private static Stamp stamp(Path path) throws IOException {
        BasicFileAttributes attributes = Files.readAttributes(path, BasicFileAttributes.class);
        return new Stamp(attributes.lastModifiedTime().toInstant(), attributes.size());
    }
}
