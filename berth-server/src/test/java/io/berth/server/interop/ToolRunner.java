package io.berth.server.interop;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Comparator;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Runs the real container tools (skopeo, podman, …) in a private sandbox directory, with a timeout, and fails the test
 * with the full command and its output when a command does not do what the test expects.
 *
 * <p>Nothing is shared with the machine or with other tests: HOME, XDG dirs, TMPDIR, the auth file, policy.json,
 * registries.conf, containers.conf and storage.conf all point into the sandbox. As root, containers/image keeps its
 * blob-info cache (which remembers where blobs were seen, and so decides cross-repo mounts and blob substitution) in
 * the fixed path {@code /var/lib/containers/cache}, which no flag or variable moves; so as root each command runs in
 * its own mount namespace ({@code unshare --mount}) with the sandbox's cache bind-mounted over that path.
 */
public final class ToolRunner implements AutoCloseable {
    public static final Duration DEFAULT_TIMEOUT = Duration.ofMinutes(3);
    private static final Path SYSTEM_BLOB_CACHE = Path.of("/var/lib/containers/cache");
    private static final int MAX_OUTPUT_IN_MESSAGE = 12_000;
    private static Boolean mountNamespaceWorks;

    private final Path dir;
    private final Path runRoot;
    private final Map<String, String> env = new HashMap<>();
    private final boolean isolateSystemCache;

    /** The outcome of one command. */
    public record Result(List<String> command, int exitCode, String stdout, String stderr) {
        public String describe() {
            return "command: " + String.join(" ", command) + "\nexit code: " + exitCode
                    + "\n--- stdout ---\n" + clip(stdout) + "\n--- stderr ---\n" + clip(stderr);
        }
    }

    private ToolRunner(Path dir, Path runRoot, boolean isolateSystemCache) {
        this.dir = dir;
        this.runRoot = runRoot;
        this.isolateSystemCache = isolateSystemCache;
    }

    /** Creates a sandbox under {@code dir} (created if missing) with its own config files for the containers tools. */
    public static ToolRunner create(Path dir) {
        Path runRoot;
        try {
            Files.createDirectories(dir);
            for (String sub : List.of("home", "config", "data", "cache", "run", "tmp", "blob-info-cache",
                    "storage/root", "libpod-tmp")) {
                Files.createDirectories(dir.resolve(sub));
            }
            // podman refuses a runroot longer than 50 characters (conmon's socket paths), and JUnit's temp dirs are
            // longer: the runroot lives in a short dir under /tmp that close() deletes.
            runRoot = Files.createTempDirectory(Path.of("/tmp"), "berth-rr-");
            Files.writeString(dir.resolve("policy.json"),
                    "{\"default\":[{\"type\":\"insecureAcceptAnything\"}]}\n");
            // No unqualified-search registries: a short name must never reach out to the internet.
            Files.writeString(dir.resolve("registries.conf"), "unqualified-search-registries = []\n");
            Files.writeString(dir.resolve("storage.conf"), """
                    [storage]
                    driver = "vfs"
                    graphroot = "%s"
                    runroot = "%s"
                    """.formatted(dir.resolve("storage/root"), runRoot));
            Files.writeString(dir.resolve("containers.conf"), """
                    [engine]
                    cgroup_manager = "cgroupfs"
                    events_logger = "file"
                    lock_type = "file"
                    tmp_dir = "%s"
                    image_copy_tmp_dir = "%s"
                    """.formatted(dir.resolve("libpod-tmp"), dir.resolve("tmp")));
            Files.writeString(dir.resolve("auth.json"), "{\"auths\":{}}\n");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create tool sandbox in " + dir, e);
        }
        boolean root = "root".equals(System.getProperty("user.name"));
        ToolRunner runner = new ToolRunner(dir, runRoot, root && mountNamespaceWorks());
        Map<String, String> env = runner.env;
        env.put("HOME", dir.resolve("home").toString());
        env.put("XDG_CONFIG_HOME", dir.resolve("config").toString());
        env.put("XDG_DATA_HOME", dir.resolve("data").toString());
        env.put("XDG_CACHE_HOME", dir.resolve("cache").toString());
        env.put("XDG_RUNTIME_DIR", dir.resolve("run").toString());
        env.put("TMPDIR", dir.resolve("tmp").toString());
        env.put("REGISTRY_AUTH_FILE", dir.resolve("auth.json").toString());
        env.put("CONTAINERS_REGISTRIES_CONF", dir.resolve("registries.conf").toString());
        env.put("CONTAINERS_CONF", dir.resolve("containers.conf").toString());
        env.put("CONTAINERS_STORAGE_CONF", dir.resolve("storage.conf").toString());
        env.put("LC_ALL", "C");
        return runner;
    }

    /** Fails the test (it does not skip it) when {@code binary} is not installed, naming the Debian package. */
    public static void requireTool(String binary, String debianPackage) {
        if (findOnPath(binary) == null) {
            fail(binary + " is not installed: apt-get install -y " + debianPackage
                    + " (.ci/run installs it; these interop tests run real clients and are never skipped)");
        }
    }

    static Path findOnPath(String binary) {
        String path = System.getenv().getOrDefault("PATH", "") + ":/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin";
        for (String entry : path.split(":")) {
            if (!entry.isEmpty() && Files.isExecutable(Path.of(entry, binary))) {
                return Path.of(entry, binary);
            }
        }
        return null;
    }

    public Path dir() {
        return dir;
    }

    /** Graph root of this sandbox's containers-storage (vfs driver). */
    public Path storageRoot() {
        return dir.resolve("storage/root");
    }

    public Path storageRunRoot() {
        return runRoot;
    }

    /** Deletes the short-path runroot outside the sandbox dir (the sandbox dir itself belongs to the caller). */
    @Override
    public void close() {
        try (Stream<Path> files = Files.walk(runRoot)) {
            for (Path file : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(file);
            }
        } catch (IOException e) {
            System.err.println("[tool] cannot delete " + runRoot + ": " + e);
        }
    }

    public Path policy() {
        return dir.resolve("policy.json");
    }

    /** Runs the command and fails the test, with its output, unless it exits 0. */
    public Result run(String... command) {
        return run(DEFAULT_TIMEOUT, List.of(command));
    }

    public Result run(List<String> command) {
        return run(DEFAULT_TIMEOUT, command);
    }

    public Result run(Duration timeout, List<String> command) {
        Result result = exec(timeout, command);
        if (result.exitCode() != 0) {
            fail("command failed\n" + result.describe());
        }
        return result;
    }

    /** Runs the command and fails the test, with its output, if it exits 0. */
    public Result runExpectingFailure(String... command) {
        Result result = exec(DEFAULT_TIMEOUT, List.of(command));
        if (result.exitCode() == 0) {
            fail("command was expected to fail but exited 0\n" + result.describe());
        }
        return result;
    }

    /** Runs the command and returns whatever it did; fails only on a timeout. */
    public Result exec(Duration timeout, List<String> command) {
        List<String> full = new ArrayList<>();
        if (isolateSystemCache) {
            // sh -c 'mkdir -p CACHE && mount --bind PRIVATE CACHE && exec "$@"' sh cmd...
            full.addAll(List.of("unshare", "--mount", "--propagation", "private", "--", "/bin/sh", "-c",
                    "mkdir -p \"$1\" && mount --bind \"$2\" \"$1\" && shift 2 && exec \"$@\"", "sh",
                    SYSTEM_BLOB_CACHE.toString(), dir.resolve("blob-info-cache").toString()));
        }
        full.addAll(command);
        long started = System.nanoTime();
        try {
            Path out = Files.createTempFile(dir, "stdout-", ".txt");
            Path err = Files.createTempFile(dir, "stderr-", ".txt");
            ProcessBuilder builder = new ProcessBuilder(full)
                    .directory(dir.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
                    .redirectOutput(out.toFile())
                    .redirectError(err.toFile());
            builder.environment().putAll(env);
            Process process = builder.start();
            boolean finished = process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
            if (!finished) {
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly();
                process.waitFor(10, TimeUnit.SECONDS);
            }
            Result result = new Result(command, finished ? process.exitValue() : -1, read(out), read(err));
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
            long millis = (System.nanoTime() - started) / 1_000_000;
            System.out.println("[tool] " + String.join(" ", command) + " -> " + result.exitCode() + " in " + millis
                    + " ms");
            if (!finished) {
                fail("command timed out after " + timeout.toSeconds() + " s\n" + result.describe());
            }
            return result;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run " + command, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted running " + command, e);
        }
    }

    private static synchronized boolean mountNamespaceWorks() {
        if (mountNamespaceWorks == null) {
            boolean works = false;
            if (findOnPath("unshare") != null) {
                try {
                    Process p = new ProcessBuilder("unshare", "--mount", "--propagation", "private", "true")
                            .redirectErrorStream(true)
                            .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                            .start();
                    works = p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0;
                } catch (IOException e) {
                    works = false;
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            if (!works) {
                System.err.println("[tool] unshare --mount does not work here: running as root without a private "
                        + SYSTEM_BLOB_CACHE + " (blob-info cache shared with the machine)");
            }
            mountNamespaceWorks = works;
        }
        return mountNamespaceWorks;
    }

    private static String read(Path file) throws IOException {
        return Files.readString(file, StandardCharsets.UTF_8);
    }

    private static String clip(String text) {
        if (text.length() <= MAX_OUTPUT_IN_MESSAGE) {
            return text;
        }
        int half = MAX_OUTPUT_IN_MESSAGE / 2;
        return text.substring(0, half) + "\n[… " + (text.length() - MAX_OUTPUT_IN_MESSAGE) + " chars cut …]\n"
                + text.substring(text.length() - half);
    }

    /** Convenience for building argument lists: {@code args("a", "b", more...)}. */
    public static List<String> args(Object... parts) {
        List<String> list = new ArrayList<>();
        for (Object part : parts) {
            if (part instanceof List<?> l) {
                l.forEach(x -> list.add(String.valueOf(x)));
            } else if (part instanceof String[] a) {
                list.addAll(Arrays.asList(a));
            } else {
                list.add(String.valueOf(part));
            }
        }
        return list;
    }
}
