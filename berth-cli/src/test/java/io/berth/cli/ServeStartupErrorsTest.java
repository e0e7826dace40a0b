package io.berth.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code berth serve} with each mistake an operator can make at start: exit code 2, one line per problem that names
 * the path, address or setting and says what to do, every problem in one run, nothing created on disk, and a stack
 * trace only with {@code --debug}. docs/startup-errors.md lists the same messages.
 */
class ServeStartupErrorsTest {
    @TempDir
    Path dir;

    private record Run(int code, String err) {
        List<String> lines() {
            return err.lines().toList();
        }
    }

    private static Run serve(String... args) {
        StringWriter err = new StringWriter();
        StringWriter out = new StringWriter();
        String[] command = new String[args.length + 1];
        command[0] = "serve";
        System.arraycopy(args, 0, command, 1, args.length);
        int code = Main.commandLine().setErr(new PrintWriter(err)).setOut(new PrintWriter(out)).execute(command);
        return new Run(code, err.toString());
    }

    private static ServerSocket taken() throws IOException {
        return new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
    }

    private static int closedPort() throws IOException {
        try (ServerSocket socket = taken()) {
            return socket.getLocalPort();
        }
    }

    @Test
    void aTakenPortIsNamedWithItsAddressAndNothingIsCreated() throws IOException {
        Path data = dir.resolve("data");
        try (ServerSocket socket = taken()) {
            int port = socket.getLocalPort();
            Run run = serve("--listen", "127.0.0.1:" + port, "--data", data.toString());

            assertThat(run.code()).isEqualTo(2);
            assertThat(run.lines()).containsExactly("berth: address 127.0.0.1:" + port + " (--listen) is in use; stop"
                    + " the program listening there or choose another with --listen");
        }
        assertThat(data).doesNotExist();
    }

    @Test
    void everyProblemIsReportedInOneRunEachOnOneLine() throws IOException {
        Path data = Files.writeString(dir.resolve("data"), "a file");
        Path htpasswd = dir.resolve("htpasswd");
        Path config = Files.writeString(dir.resolve("berth.yaml"), """
                colour: blue
                auth:
                  htpasswd: %s
                tls:
                  certificate: %s
                  key: %s
                """.formatted(htpasswd, dir.resolve("tls.crt"), dir.resolve("tls.key")));
        try (ServerSocket socket = taken()) {
            int port = socket.getLocalPort();
            Run run = serve("--config", config.toString(), "--listen", "127.0.0.1:" + port, "--data", data.toString());

            assertThat(run.code()).isEqualTo(2);
            assertThat(run.lines()).containsExactly(
                    "berth: " + config + ": unknown key 'colour' (known: " + knownKeys(run) + ")",
                    "berth: address 127.0.0.1:" + port + " (--listen) is in use; stop the program listening there or"
                            + " choose another with --listen",
                    "berth: data directory " + data + " (--data) is a file, not a directory; choose another with --data",
                    "berth: htpasswd file " + htpasswd + " (auth.htpasswd) not found; create it with: htpasswd -cB "
                            + htpasswd + " USER",
                    "berth: TLS certificate " + dir.resolve("tls.crt") + " (tls.certificate) not found; fix"
                            + " tls.certificate or create the PEM file",
                    "berth: TLS key " + dir.resolve("tls.key") + " (tls.key) not found; fix tls.key or create the PEM file");
        }
    }

    /** The set's order is the JVM's; the test checks the rest of the line. */
    private static String knownKeys(Run run) {
        String line = run.lines().get(0);
        return line.substring(line.indexOf("(known: ") + "(known: ".length(), line.length() - 1);
    }

    @Test
    void aMissingConfigFileAndAMissingHtpasswdFileSayNotFound() {
        Path config = dir.resolve("berth.yaml");
        Path htpasswd = dir.resolve("users");
        Run run = serve("--config", config.toString(), "--htpasswd", htpasswd.toString(), "--listen", "127.0.0.1:0",
                "--data", dir.resolve("data").toString());

        assertThat(run.code()).isEqualTo(2);
        assertThat(run.lines()).containsExactly(
                "berth: config file " + config + " (--config) not found; check the path given to --config",
                "berth: htpasswd file " + htpasswd + " (--htpasswd) not found; create it with: htpasswd -cB " + htpasswd
                        + " USER");
        assertThat(dir.resolve("data")).doesNotExist();
    }

    @Test
    void malformedYamlIsOneLineWithItsPlace() throws IOException {
        Path config = Files.writeString(dir.resolve("berth.yaml"), "listen: [unclosed\n");
        Run run = serve("--config", config.toString(), "--data", dir.resolve("data").toString());

        assertThat(run.code()).isEqualTo(2);
        assertThat(run.lines()).singleElement().asString()
                .startsWith("berth: config file " + config + " (--config) is not valid YAML at line 2, column 1 (expected")
                .endsWith("); fix the file");
    }

    @Test
    void anUnreachableDatabaseIsNamed() throws IOException {
        int port = closedPort();
        Path config = Files.writeString(dir.resolve("berth.yaml"), """
                database:
                  url: jdbc:postgresql://127.0.0.1:%d/berth
                """.formatted(port));
        Run run = serve("--config", config.toString(), "--listen", "127.0.0.1:0", "--data", dir.resolve("data").toString());

        assertThat(run.code()).isEqualTo(2);
        assertThat(run.lines()).containsExactly("berth: database jdbc:postgresql://127.0.0.1:" + port + "/berth"
                + " (database.url): cannot connect to 127.0.0.1:" + port + " (Connection refused); start PostgreSQL"
                + " there or fix database.url");
    }

    /** Flyway on a file that is not SQLite's: once 46 lines of stack trace that never named the file. */
    @Test
    void aDatabaseFileFlywayCannotUseIsOneLineNamingIt() throws IOException {
        Path data = Files.createDirectory(dir.resolve("data"));
        Path file = Files.writeString(data.resolve("berth.db"), "not a database ".repeat(20));
        Run run = serve("--listen", "127.0.0.1:0", "--data", data.toString());

        assertThat(run.code()).isEqualTo(2);
        assertThat(run.lines()).singleElement().asString()
                .startsWith("berth: database file " + file + " is not an SQLite database or is damaged (")
                .endsWith("); move it away (a new one is created) or restore it from a backup");
    }

    @Test
    void aMalformedWebhookIsOneLine() {
        Run run = serve("--listen", "127.0.0.1:0", "--data", dir.resolve("data").toString(), "--webhook", "ftp://x");

        assertThat(run.code()).isEqualTo(2);
        assertThat(run.lines()).singleElement().asString().startsWith("berth: --webhook ftp://x is not a usable URL (")
                .endsWith("); give an http:// or https:// URL");
    }

    @Test
    void aStackTraceOnlyWithDebug() throws IOException {
        try (ServerSocket socket = taken()) {
            String listen = "127.0.0.1:" + socket.getLocalPort();
            Run plain = serve("--listen", listen, "--data", dir.resolve("data").toString());
            Run debug = serve("--debug", "--listen", listen, "--data", dir.resolve("data").toString());

            assertThat(plain.err()).doesNotContain("\tat ").doesNotContain("Exception");
            assertThat(debug.code()).isEqualTo(2);
            assertThat(debug.lines().get(0)).isEqualTo(plain.lines().get(0));
            assertThat(debug.err()).contains("berth: causes:").contains("java.net.BindException")
                    .contains("Address already in use").contains("\tat ");
        }
    }
}
