package io.berth.server.startup;

import java.io.IOException;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Checks of the machine a configuration names, made before {@code berth serve} creates anything: the listen address
 * can be bound, the data directory can be written and has room, the files it reads exist and can be read. It creates
 * nothing that stays: the data directory is probed with a file that is removed at once, and only when it exists.
 * Each problem is one line, {@code <thing> <name> (<setting>) <what is wrong>; <what to do>}, collected here with the
 * failure that found it, so that every problem is reported in one run.
 */
public final class Preflight {
    /** Less free space than this under the data directory is a problem: SQLite's journal alone can need more. */
    static final long MIN_FREE_BYTES = 16L << 20;
    private static final int PROBE_BYTES = 64 << 10;

    /** What the data directory check asks of the file system; tests put failures in. */
    public interface Disk {
        /** Writes, syncs and deletes a small file in {@code directory}. */
        void probe(Path directory) throws IOException;

        long usableSpace(Path directory) throws IOException;

        Disk LIVE = new Disk() {
            @Override
            public void probe(Path directory) throws IOException {
                Path probe = Files.createTempFile(directory, ".berth-probe-", "");
                try (FileChannel channel = FileChannel.open(probe, StandardOpenOption.WRITE)) {
                    channel.write(ByteBuffer.allocate(PROBE_BYTES));
                    channel.force(true);
                } finally {
                    Files.deleteIfExists(probe);
                }
            }

            @Override
            public long usableSpace(Path directory) throws IOException {
                return Files.getFileStore(directory).getUsableSpace();
            }
        };
    }

    private final Disk disk;
    private final List<String> problems = new ArrayList<>();
    private final List<Throwable> causes = new ArrayList<>();

    public Preflight(Disk disk) {
        this.disk = disk;
    }

    public static Preflight live() {
        return new Preflight(Disk.LIVE);
    }

    public List<String> problems() {
        return List.copyOf(problems);
    }

    /** The failures behind the problems, for {@code --debug}. */
    public List<Throwable> causes() {
        return List.copyOf(causes);
    }

    /** Records a problem found elsewhere (the database's check), with the failure that found it, if any. */
    public void add(String problem, Throwable cause) {
        problems.add(problem);
        if (cause != null) {
            causes.add(cause);
        }
    }

    /** Binds {@code host:port} and lets go at once; port 0 (any free port) needs no check. */
    public void listen(String host, int port, String setting) {
        if (port == 0) {
            return;
        }
        try (ServerSocket socket = new ServerSocket()) {
            socket.setReuseAddress(true); // as the server binds: a port whose old connections linger in TIME_WAIT is free
            socket.bind(new InetSocketAddress(InetAddress.getByName(host), port));
        } catch (IOException | SecurityException e) {
            add(listenProblem(host, port, setting, e), e);
        }
    }

    /**
     * The line for a listen address that cannot be bound, from the failure the bind ended with (here or in the
     * server itself, when another program took the port in between).
     */
    public static String listenProblem(String host, int port, String setting, Throwable failure) {
        String address = (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
        String change = "choose another with " + setting;
        if (failure instanceof UnknownHostException) {
            return "listen host " + host + " (" + setting + ") does not resolve; use an IP address or a name this"
                    + " machine resolves";
        }
        String reason = rootMessage(failure);
        String lower = reason.toLowerCase(Locale.ROOT);
        if (lower.contains("already in use")) {
            return "address " + address + " (" + setting + ") is in use; stop the program listening there or " + change;
        }
        if (lower.contains("cannot assign requested address")) {
            return "address " + address + " (" + setting + ") is not an address of this machine; " + change
                    + " (0.0.0.0 listens on all)";
        }
        if (lower.contains("permission denied") || failure instanceof SecurityException) {
            return "address " + address + " (" + setting + ") needs privileges to listen on port " + port
                    + "; choose a port above 1023 with " + setting + " or grant CAP_NET_BIND_SERVICE";
        }
        boolean bind = failure instanceof BindException;
        return "address " + address + " (" + setting + ") cannot be listened on (" + reason + "); "
                + (bind ? change : "check the address or " + change);
    }

    /**
     * The data directory can be written and has room. One that does not exist yet is not created here: its nearest
     * existing parent must be a writable directory.
     */
    public void dataDirectory(Path directory, String setting) {
        String name = "data directory " + directory + " (" + setting + ")";
        String elsewhere = "choose another with " + setting;
        Path absolute = directory.toAbsolutePath().normalize();
        Path existing = absolute;
        while (existing != null && !Files.exists(existing)) {
            existing = existing.getParent();
        }
        if (existing == null) {
            add(name + " has no existing parent; " + elsewhere, null);
            return;
        }
        if (!Files.isDirectory(existing)) {
            add(existing.equals(absolute)
                    ? name + " is a file, not a directory; " + elsewhere
                    : name + " cannot be created: " + existing + " is a file; " + elsewhere, null);
            return;
        }
        if (existing.equals(absolute)) {
            try {
                disk.probe(absolute);
            } catch (IOException e) {
                add(name + " " + unwritable(e) + "; " + fixFor(e, elsewhere), e);
                return;
            }
        } else if (!Files.isWritable(existing)) {
            add(name + " cannot be created: " + existing + " is not writable by user " + user()
                    + "; create it with write access for " + user() + ", or " + elsewhere, null);
            return;
        }
        try {
            long free = disk.usableSpace(existing);
            if (free < MIN_FREE_BYTES) {
                add(name + " has only " + mebibytes(free) + " free on its file system (Berth needs at least "
                        + mebibytes(MIN_FREE_BYTES) + "); free space there or " + elsewhere, null);
            }
        } catch (IOException e) {
            add(name + ": its free space cannot be read (" + rootMessage(e) + "); " + elsewhere, e);
        }
    }

    /** A file Berth reads at start (htpasswd, TLS certificate and key, JWKS): it exists, is a file and can be read. */
    public void readableFile(Path file, String what, String setting, String fix) {
        String name = what + " " + file + " (" + setting + ")";
        if (Files.isDirectory(file)) {
            add(name + " is a directory, not a file; " + fix, null);
            return;
        }
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            channel.read(ByteBuffer.allocate(1));
        } catch (IOException e) {
            add(fileProblem(what, file, setting, e, fix), e);
        }
    }

    /** The line for a file that could not be read: not found, not readable, or the error the system gave. */
    public static String fileProblem(String what, Path file, String setting, IOException failure, String fix) {
        String name = what + " " + file + (setting == null ? "" : " (" + setting + ")");
        if (failure instanceof NoSuchFileException) {
            return name + " not found; " + fix;
        }
        if (failure instanceof AccessDeniedException) {
            return name + " is not readable by user " + user() + "; give " + user() + " read access, or " + fix;
        }
        return name + " cannot be read (" + rootMessage(failure) + "); " + fix;
    }

    /** A file Berth creates when it is missing (the token signing key): readable if it exists, else its directory writable. */
    public void readableOrCreatable(Path file, String what, String setting, String fix) {
        if (Files.exists(file)) {
            readableFile(file, what, setting, fix);
            return;
        }
        Path parent = file.toAbsolutePath().normalize().getParent();
        while (parent != null && !Files.exists(parent)) {
            parent = parent.getParent();
        }
        if (parent == null || !Files.isDirectory(parent) || !Files.isWritable(parent)) {
            add(what + " " + file + " (" + setting + ") cannot be created: " + parent + " is not a writable directory; "
                    + fix, null);
        }
    }

    private static String unwritable(IOException e) {
        String reason = rootMessage(e);
        if (e instanceof AccessDeniedException) {
            return "is not writable by user " + user();
        }
        if (full(reason)) {
            return "is on a full file system (" + reason + ")";
        }
        if (reason.toLowerCase(Locale.ROOT).contains("read-only file system")) {
            return "is on a read-only file system";
        }
        return "cannot be written (" + reason + ")";
    }

    private static String fixFor(IOException e, String elsewhere) {
        if (e instanceof AccessDeniedException) {
            return "give user " + user() + " write access (chown or chmod), or " + elsewhere;
        }
        if (full(rootMessage(e))) {
            return "free space there or " + elsewhere;
        }
        return elsewhere;
    }

    /** ENOSPC and EDQUOT, as the JDK words them. */
    public static boolean full(String reason) {
        String lower = reason.toLowerCase(Locale.ROOT);
        return lower.contains("no space left on device") || lower.contains("disk quota exceeded");
    }

    /**
     * The deepest cause's message, on one line: what the operating system or the driver said, without the paths
     * and exception names the layers above added.
     */
    public static String rootMessage(Throwable failure) {
        Throwable deepest = failure;
        while (deepest.getCause() != null && deepest.getCause() != deepest) {
            deepest = deepest.getCause();
        }
        String message = deepest instanceof FileSystemException fs && fs.getReason() != null ? fs.getReason()
                : deepest.getMessage();
        if (message == null || message.isBlank()) {
            message = deepest.getClass().getSimpleName();
        }
        int newline = message.indexOf('\n');
        return (newline >= 0 ? message.substring(0, newline) : message).strip();
    }

    private static String user() {
        return System.getProperty("user.name");
    }

    private static String mebibytes(long bytes) {
        return (bytes >> 20) + " MiB";
    }
}
