package io.berth.cli;

import io.berth.server.meta.DatabaseConfig;
import java.io.IOException;
import java.io.InputStream;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Optional;
import org.sqlite.SQLiteJDBCLoader;
import org.sqlite.util.LibraryLoaderUtil;

/**
 * Keeps SQLite's native library next to the jar. The driver otherwise copies it out of the jar into the temp
 * directory at every start (about 0.13 s of a 1.2 s start, and one stale copy per killed process). Here the copy is
 * made once per driver version, in {@code berth.jar.native/}, and the driver is pointed at it. When that directory
 * cannot be written, or {@code org.sqlite.lib.path} is set already, the driver does as it always does.
 */
final class SqliteLibrary {
    private static final String PATH = "org.sqlite.lib.path";
    private static final String NAME = "org.sqlite.lib.name";

    private SqliteLibrary() {
    }

    /** Call before the registry starts; does nothing unless {@code database} is SQLite. */
    static void keepNextToJar(DatabaseConfig database) {
        if (!database.url().startsWith("jdbc:sqlite:") || System.getProperty(PATH) != null) {
            return;
        }
        jar().flatMap(jar -> keep(Path.of(jar + ".native"))).ifPresent(library -> {
            System.setProperty(PATH, library.getParent().toString());
            System.setProperty(NAME, library.getFileName().toString());
        });
    }

    /** The library under {@code directory}, copied there from the jar first if it is not yet; empty if that fails. */
    static Optional<Path> keep(Path directory) {
        String resource = LibraryLoaderUtil.getNativeLibResourcePath() + "/" + LibraryLoaderUtil.getNativeLibName();
        Path library = directory.resolve(SQLiteJDBCLoader.getVersion() + resource);
        if (Files.isRegularFile(library)) {
            return Optional.of(library);
        }
        try (InputStream in = SQLiteJDBCLoader.class.getResourceAsStream(resource)) {
            if (in == null) {
                return Optional.empty(); // no library for this platform in the jar: the driver reports it
            }
            Files.createDirectories(library.getParent());
            Path partial = Files.createTempFile(library.getParent(), "partial-", ".so");
            try {
                Files.copy(in, partial, StandardCopyOption.REPLACE_EXISTING);
                Files.move(partial, library, StandardCopyOption.ATOMIC_MOVE); // concurrent starts: the last one wins, same bytes
            } finally {
                Files.deleteIfExists(partial);
            }
            return Optional.of(library);
        } catch (IOException | SecurityException e) {
            return Optional.empty();
        }
    }

    private static Optional<Path> jar() {
        try {
            Path location = Path.of(SqliteLibrary.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            return location.toString().endsWith(".jar") && Files.isRegularFile(location) ? Optional.of(location) : Optional.empty();
        } catch (URISyntaxException | RuntimeException e) {
            return Optional.empty();
        }
    }
}
