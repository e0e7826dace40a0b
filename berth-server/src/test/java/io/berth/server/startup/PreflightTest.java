package io.berth.server.startup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.UnknownHostException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Each check of the machine, and the one line it reports: the thing, its setting, what is wrong, what to do. */
class PreflightTest {
    private static final String USER = System.getProperty("user.name");

    @TempDir
    Path dir;

    /** The file system as it is, except for what a test puts in. */
    private record FakeDisk(IOException probeFailure, long freeBytes) implements Preflight.Disk {
        @Override
        public void probe(Path directory) throws IOException {
            if (probeFailure != null) {
                throw probeFailure;
            }
            LIVE.probe(directory);
        }

        @Override
        public long usableSpace(Path directory) throws IOException {
            return freeBytes < 0 ? LIVE.usableSpace(directory) : freeBytes;
        }
    }

    @Test
    void aTakenPortIsNamedWithItsAddress() throws IOException {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            Preflight preflight = Preflight.live();
            preflight.listen("127.0.0.1", taken.getLocalPort(), "--listen");

            assertThat(preflight.problems()).containsExactly("address 127.0.0.1:" + taken.getLocalPort()
                    + " (--listen) is in use; stop the program listening there or choose another with --listen");
            assertThat(preflight.causes()).singleElement().isInstanceOf(java.net.BindException.class);
        }
    }

    @Test
    void aFreePortAndPortZeroPass() throws IOException {
        int free;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            free = socket.getLocalPort();
        }
        Preflight preflight = Preflight.live();
        preflight.listen("127.0.0.1", free, "--listen");
        preflight.listen("127.0.0.1", 0, "--listen");

        assertThat(preflight.problems()).isEmpty();
    }

    @Test
    void anAddressOfAnotherMachineIsNamed() {
        Preflight preflight = Preflight.live();
        preflight.listen("192.0.2.10", 5000, "BERTH_LISTEN"); // TEST-NET-1: never an address of this machine

        assertThat(preflight.problems()).containsExactly("address 192.0.2.10:5000 (BERTH_LISTEN) is not an address of"
                + " this machine; choose another with BERTH_LISTEN (0.0.0.0 listens on all)");
    }

    @Test
    void aHostThatDoesNotResolveAndAPrivilegedPortAreNamed() {
        assertThat(Preflight.listenProblem("registry.invalid", 5000, "listen", new UnknownHostException("registry.invalid")))
                .isEqualTo("listen host registry.invalid (listen) does not resolve; use an IP address or a name this"
                        + " machine resolves");
        assertThat(Preflight.listenProblem("0.0.0.0", 80, "--listen", new java.net.BindException("Permission denied")))
                .isEqualTo("address 0.0.0.0:80 (--listen) needs privileges to listen on port 80; choose a port above"
                        + " 1023 with --listen or grant CAP_NET_BIND_SERVICE");
    }

    @Test
    void aWritableDataDirectoryPassesAndKeepsNothingOfTheProbe() throws IOException {
        Preflight preflight = Preflight.live();
        preflight.dataDirectory(dir, "--data");

        assertThat(preflight.problems()).isEmpty();
        try (Stream<Path> left = Files.list(dir)) {
            assertThat(left).isEmpty();
        }
    }

    @Test
    void aDataDirectoryThatDoesNotExistIsNotCreated() {
        Path data = dir.resolve("a/b/data");
        Preflight preflight = Preflight.live();
        preflight.dataDirectory(data, "--data");

        assertThat(preflight.problems()).isEmpty();
        assertThat(dir.resolve("a")).doesNotExist();
    }

    @Test
    void aFileWhereTheDataDirectoryShouldBeIsNamed() throws IOException {
        Path file = Files.writeString(dir.resolve("data"), "x");
        Preflight preflight = Preflight.live();
        preflight.dataDirectory(file, "--data");
        preflight.dataDirectory(file.resolve("below"), "BERTH_DATA");

        assertThat(preflight.problems()).containsExactly(
                "data directory " + file + " (--data) is a file, not a directory; choose another with --data",
                "data directory " + file.resolve("below") + " (BERTH_DATA) cannot be created: " + file
                        + " is a file; choose another with BERTH_DATA");
    }

    @Test
    void aDataDirectoryTheProbeCannotWriteIsNotWritable() {
        Preflight preflight = new Preflight(new FakeDisk(new AccessDeniedException(dir + "/.berth-probe-1"), -1));
        preflight.dataDirectory(dir, "--data");

        assertThat(preflight.problems()).containsExactly("data directory " + dir + " (--data) is not writable by user "
                + USER + "; give user " + USER + " write access (chown or chmod), or choose another with --data");
    }

    /** As root every directory is writable: this one runs for other users, as an operator's account would be. */
    @Test
    void aReadOnlyDataDirectoryIsNotWritable() throws IOException {
        assumeFalse(USER.equals("root"), "root writes into read-only directories");
        Path data = Files.createDirectory(dir.resolve("data"));
        Files.setPosixFilePermissions(data, PosixFilePermissions.fromString("r-xr-xr-x"));
        try {
            Preflight preflight = Preflight.live();
            preflight.dataDirectory(data, "--data");
            assertThat(preflight.problems()).singleElement().asString()
                    .startsWith("data directory " + data + " (--data) is not writable by user " + USER + ";");
        } finally {
            Files.setPosixFilePermissions(data, PosixFilePermissions.fromString("rwxr-xr-x"));
        }
    }

    /** What the JDK throws when a write meets a full file system (ENOSPC). */
    @Test
    void aFullFileSystemIsNamed() {
        Preflight preflight = new Preflight(new FakeDisk(new IOException("No space left on device"), -1));
        preflight.dataDirectory(dir, "data");

        assertThat(preflight.problems()).containsExactly("data directory " + dir + " (data) is on a full file system"
                + " (No space left on device); free space there or choose another with data");
        assertThat(preflight.causes()).singleElement().extracting(Throwable::getMessage).isEqualTo("No space left on device");
    }

    @Test
    void aNearlyFullFileSystemIsNamedWithItsFreeSpace() {
        Preflight preflight = new Preflight(new FakeDisk(null, 3L << 20));
        preflight.dataDirectory(dir.resolve("new"), "--data");

        assertThat(preflight.problems()).containsExactly("data directory " + dir.resolve("new") + " (--data) has only"
                + " 3 MiB free on its file system (Berth needs at least 16 MiB); free space there or choose another"
                + " with --data");
    }

    @Test
    void aMissingFileOrADirectoryIsNamedWithItsSetting() throws IOException {
        Path missing = dir.resolve("htpasswd");
        Preflight preflight = Preflight.live();
        preflight.readableFile(missing, "htpasswd file", "--htpasswd", "create it with: htpasswd -cB " + missing + " USER");
        preflight.readableFile(dir, "TLS key", "tls.key", "fix tls.key or create the PEM file");
        Path present = Files.writeString(dir.resolve("tls.crt"), "-----BEGIN CERTIFICATE-----\n");
        preflight.readableFile(present, "TLS certificate", "tls.certificate", "fix tls.certificate");

        assertThat(preflight.problems()).containsExactly(
                "htpasswd file " + missing + " (--htpasswd) not found; create it with: htpasswd -cB " + missing + " USER",
                "TLS key " + dir + " (tls.key) is a directory, not a file; fix tls.key or create the PEM file");
    }

    @Test
    void anUnreadableFileIsNamed() throws IOException {
        Path file = dir.resolve("htpasswd");
        assertThat(Preflight.fileProblem("htpasswd file", file, "auth.htpasswd", new AccessDeniedException(file.toString()),
                "fix auth.htpasswd"))
                .isEqualTo("htpasswd file " + file + " (auth.htpasswd) is not readable by user " + USER + "; give "
                        + USER + " read access, or fix auth.htpasswd");
        if (!USER.equals("root")) { // and for real where permissions bind
            Files.writeString(file, "alice:$2y$05$x\n");
            Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("---------"));
            Preflight preflight = Preflight.live();
            preflight.readableFile(file, "htpasswd file", "auth.htpasswd", "fix auth.htpasswd");
            assertThat(preflight.problems()).containsExactly("htpasswd file " + file + " (auth.htpasswd) is not readable"
                    + " by user " + USER + "; give " + USER + " read access, or fix auth.htpasswd");
        }
    }

    @Test
    void aKeyBerthCreatesMayBeMissingButItsDirectoryMustBeWritable() throws IOException {
        Path file = Files.writeString(dir.resolve("not-a-directory"), "x");
        Preflight preflight = Preflight.live();
        preflight.readableOrCreatable(dir.resolve("keys/token.jwk"), "token signing key", "auth.token.key", "fix it");
        preflight.readableOrCreatable(file.resolve("token.jwk"), "token signing key", "auth.token.key", "fix it");

        assertThat(preflight.problems()).containsExactly("token signing key " + file.resolve("token.jwk")
                + " (auth.token.key) cannot be created: " + file + " is not a writable directory; fix it");
    }
}
