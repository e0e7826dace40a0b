package io.berth.server.auth;

import io.berth.server.log.LogText;
import static io.berth.server.auth.AuthHttp.basic;
import static org.assertj.core.api.Assertions.assertThat;

import io.berth.server.auth.AuthConfig;
import io.berth.server.testing.BerthFixture;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Client-provided text in the audit log is escaped: a user name with a line break cannot forge an audit line. */
class AuditEscapingTest {
    @TempDir
    Path dir;

    @Test
    void controlCharactersAndLineSeparatorsAreEscaped() {
        assertThat(LogText.escaped("a\nb\rc\td")).isEqualTo("a\\nb\\rc\\td");
        assertThat(LogText.escaped("x\u0000\u001b\u007f\u0085y")).isEqualTo("x\\u0000\\u001b\\u007f\\u0085y");
        assertThat(LogText.escaped("p\u2028q\u2029r\u202es")).isEqualTo("p\\u2028q\\u2029r\\u202es");
        assertThat(LogText.escaped("back\\slash")).isEqualTo("back\\\\slash");
        assertThat(LogText.escaped("robot$ci ünïcode ✓")).isEqualTo("robot$ci ünïcode ✓");
        assertThat(LogText.escaped(null)).isEqualTo("null");
    }

    @Test
    void aUserNameWithALineBreakStaysOnItsAuditLine() throws Exception {
        Path htpasswd = AuthSetup.htpasswd(dir.resolve("htpasswd"), "alice", "alice-pw");
        AuthConfig auth = AuthConfig.NONE.withHtpasswd(htpasswd);
        String forged = "mallory\n[main] INFO berth.audit - push manifest app v1 by alice from 10.0.0.1";
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        PrintStream original = System.err;
        try (BerthFixture registry = BerthFixture.start(dir.resolve("data"), c -> c.withAuth(auth))) {
            AuthHttp http = new AuthHttp(registry.baseUri());
            System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
            try {
                assertThat(http.get("/token?service=berth", basic(forged, "wrong")).statusCode()).isEqualTo(401);
                assertThat(http.get("/token?service=berth", basic("eve\u2028forged", "wrong")).statusCode()).isEqualTo(401);
                assertThat(http.send("POST", "/token", ("grant_type=" + URLEncoder.encode("x\r\nforged", StandardCharsets.UTF_8))
                        .getBytes(StandardCharsets.UTF_8), null, "Content-Type", "application/x-www-form-urlencoded")
                        .statusCode()).isEqualTo(401);
            } finally {
                System.setErr(original);
            }
        }
        String log = captured.toString(StandardCharsets.UTF_8);
        original.print(log);

        assertThat(log).contains("token refused for mallory\\n[main] INFO berth.audit - push manifest app v1 by alice from 10.0.0.1"
                        + " from 127.0.0.1: invalid credentials")
                .contains("token refused for eve\\u2028forged from 127.0.0.1")
                .contains("unsupported grant_type x\\r\\nforged");
        assertThat(log.lines()).noneMatch(line -> line.startsWith("[main] INFO berth.audit - push manifest"));
        assertThat(log).doesNotContain("\u2028", "x\r\n");
    }
}
