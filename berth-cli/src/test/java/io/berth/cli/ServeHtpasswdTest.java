package io.berth.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code berth serve --htpasswd FILE}: mistakes an operator can make are exit code 2 with a sentence, not a trace. */
class ServeHtpasswdTest {
    @TempDir
    Path dir;

    private String serveFails(String... args) {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream original = System.err;
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        int code;
        try {
            code = new CommandLine(new Main()).execute(args);
        } finally {
            System.setErr(original);
        }
        assertThat(code).as(err.toString(StandardCharsets.UTF_8)).isEqualTo(2);
        return err.toString(StandardCharsets.UTF_8);
    }

    @Test
    void authorizationOverPlainHttpOnAllInterfacesIsRefused() {
        assertThat(serveFails("serve", "--htpasswd", dir.resolve("htpasswd").toString(), "--listen", "0.0.0.0:0",
                "--data", dir.resolve("data").toString()))
                .contains("authorization over plain HTTP on 0.0.0.0");
    }

    @Test
    void aMissingHtpasswdFileIsAConfigurationError() {
        assertThat(serveFails("serve", "--htpasswd", dir.resolve("missing").toString(), "--listen", "127.0.0.1:0",
                "--data", dir.resolve("data").toString()))
                .contains("htpasswd file").contains("missing");
    }
}
