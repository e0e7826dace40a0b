package io.berth.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code berth serve} as an operator runs it: flags, configuration errors, and a clean stop on SIGTERM. */
class ServeCommandTest {
    @TempDir
    Path data;

    @Test
    void invalidConfigurationExitsWithCode2AndSaysWhatIsWrong() throws Exception {
        Path config = data.resolve("berth.yaml");
        Files.writeString(config, "listen: nowhere\n");
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream original = System.err;
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        int code;
        try {
            code = new CommandLine(new Main()).execute("serve", "--config", config.toString());
        } finally {
            System.setErr(original);
        }
        assertThat(code).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("listen must be HOST:PORT");
    }

    @Test
    void sigtermLetsTheRequestInFlightFinishBeforeExiting() throws Exception {
        int port = ServerProcess.freePort();
        ServerProcess server = ServerProcess.start(port, data);
        byte[] content = new byte[1 << 20];
        new java.util.Random(7).nextBytes(content);
        String digest = ServerProcess.sha256(content);
        try (Socket socket = new Socket("127.0.0.1", port)) {
            OutputStream out = socket.getOutputStream();
            out.write(("POST /v2/shutdown/test/blobs/uploads/?digest=" + digest + " HTTP/1.1\r\nHost: x\r\n"
                    + "Content-Type: application/octet-stream\r\nContent-Length: " + content.length + "\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.write(content, 0, content.length / 2);
            out.flush();
            Thread.sleep(300);
            server.process().destroy(); // SIGTERM while the body is half sent
            Thread.sleep(500);
            out.write(content, content.length / 2, content.length - content.length / 2);
            out.flush();
            InputStream in = socket.getInputStream();
            String status = new String(in.readNBytes(12), StandardCharsets.US_ASCII);
            assertThat(status).isEqualTo("HTTP/1.1 201");
        }
        assertThat(server.process().waitFor(40, TimeUnit.SECONDS)).as("the server exits after SIGTERM").isTrue();
        try (java.util.stream.Stream<Path> uploads = Files.list(data.resolve("uploads"))) {
            assertThat(uploads).as("nothing half-written").isEmpty();
        }
        assertThat(data.resolve("blobs/sha256/" + digest.substring(7, 9) + "/" + digest.substring(7))).hasBinaryContent(content);
    }
}
