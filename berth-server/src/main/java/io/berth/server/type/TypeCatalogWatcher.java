package io.berth.server.type;

import io.berth.oci.type.CatalogProblem;
import io.berth.oci.type.TypeCatalog;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The type catalog in force: the built-in types plus every {@code *.json}, {@code *.yaml} and {@code *.yml} file of the
 * types directory, in file-name order (later files override earlier ones and built-ins by id). {@link #refresh}
 * reloads when a file was added, removed or changed; a broken file is reported with its position and the rest
 * still loads, so a typo never stops the registry.
 */
public final class TypeCatalogWatcher implements Supplier<TypeCatalog> {
    private static final Logger LOG = LoggerFactory.getLogger(TypeCatalogWatcher.class);

    private record State(TypeCatalog catalog, List<CatalogProblem> problems, List<String> fingerprint) {
    }

    private final Path directory;
    private volatile State state;

    /** Loads the catalog now (blocking). */
    public TypeCatalogWatcher(Path directory) {
        this.directory = directory;
        this.state = load(fingerprint());
    }

    @Override
    public TypeCatalog get() {
        return state.catalog();
    }

    /** Problems of the files as last loaded, each with file, line and column. */
    public List<CatalogProblem> problems() {
        return state.problems();
    }

    public Path directory() {
        return directory;
    }

    /** Blocking: reloads when the directory's files changed; true when a new catalog is in force. */
    public synchronized boolean refresh() {
        List<String> now = fingerprint();
        if (now.equals(state.fingerprint())) {
            return false;
        }
        state = load(now);
        return true;
    }

    private State load(List<String> fingerprint) {
        List<Path> files = files();
        TypeCatalog.Loaded loaded = TypeCatalog.load(files);
        loaded.problems().forEach(problem -> LOG.warn("type catalog: {}", problem));
        LOG.info("type catalog: {} types from the built-ins and {} file(s) in {}", loaded.catalog().types().size(),
                files.size(), directory);
        return new State(loaded.catalog(), loaded.problems(), fingerprint);
    }

    private List<Path> files() {
        if (!Files.isDirectory(directory)) {
            return List.of();
        }
        try (Stream<Path> entries = Files.list(directory)) {
            return entries.filter(Files::isRegularFile)
                    .filter(p -> p.getFileName().toString().matches(".*\\.(json|ya?ml)"))
                    .sorted()
                    .toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list the types directory " + directory, e);
        }
    }

    /** Name, size and modification time of every type file: what a change of the directory changes. */
    private List<String> fingerprint() {
        return files().stream().map(file -> {
            try {
                return file + ":" + Files.size(file) + ":" + Files.getLastModifiedTime(file).toMillis();
            } catch (IOException e) {
                return file + ":gone";
            }
        }).toList();
    }
}
