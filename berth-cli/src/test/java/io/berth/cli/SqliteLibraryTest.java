package io.berth.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sqlite.SQLiteJDBCLoader;
import org.sqlite.util.LibraryLoaderUtil;

/** SQLite's native library is copied out of the jar once per driver version and then reused. */
class SqliteLibraryTest {
    @TempDir
    Path dir;

    @Test
    void copiesTheDriversLibraryOnceAndReusesIt() throws Exception {
        Optional<Path> first = SqliteLibrary.keep(dir);

        String resource = LibraryLoaderUtil.getNativeLibResourcePath() + "/" + LibraryLoaderUtil.getNativeLibName();
        assertThat(first).contains(dir.resolve(SQLiteJDBCLoader.getVersion() + resource));
        try (InputStream original = SQLiteJDBCLoader.class.getResourceAsStream(resource)) {
            assertThat(Files.readAllBytes(first.get())).isEqualTo(original.readAllBytes());
        }
        assertThat(Files.list(first.get().getParent())).containsExactly(first.get()); // no partial copy left

        FileTime written = FileTime.fromMillis(1_000_000);
        Files.setLastModifiedTime(first.get(), written);
        assertThat(SqliteLibrary.keep(dir)).isEqualTo(first);
        assertThat(Files.getLastModifiedTime(first.get())).isEqualTo(written);
    }

    @Test
    void givesUpWhenTheDirectoryCannotBeMade() throws Exception {
        Path file = Files.writeString(dir.resolve("not-a-directory"), "x");

        assertThat(SqliteLibrary.keep(file)).isEmpty();
    }
}
