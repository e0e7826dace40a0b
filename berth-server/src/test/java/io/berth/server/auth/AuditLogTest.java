package io.berth.server.auth;

import static io.berth.server.auth.AuthHttp.basic;
import static io.berth.server.auth.AuthHttp.bearer;
import static org.assertj.core.api.Assertions.assertThat;

import io.berth.server.auth.AuthConfig;
import io.berth.server.testing.BerthFixture;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The audit trail names the user, the address and the repository of every refusal, push and delete; no password,
 * token or hash is ever written to the log (slf4j-simple writes to the current {@code System.err}).
 */
class AuditLogTest {
    @TempDir
    Path dir;

    @Test
    void refusalsPushesAndDeletesAreAuditedWithoutSecrets() throws Exception {
        String password = "pa55-w0rd-never-logged";
        String robotToken = "robot-token-never-logged";
        Path htpasswd = AuthSetup.htpasswd(dir.resolve("htpasswd"), "alice", password, "eve", "eve-pw-never-logged");
        AuthConfig.Robot robot = AuthSetup.robot("ci", robotToken, AuthSetup.users("audit/**", List.of(), "pull", "push"));
        AuthConfig auth = AuthConfig.NONE.withHtpasswd(htpasswd)
                .withPolicies(List.of(AuthSetup.users("audit/**", List.of("alice"), "*"), AuthSetup.users("x/**", List.of("eve"), "pull")))
                .withRobots(List.of(robot));
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        PrintStream original = System.err;
        String token;
        try (BerthFixture registry = BerthFixture.start(dir.resolve("data"), c -> c.withAuth(auth))) {
            AuthHttp http = new AuthHttp(registry.baseUri());
            System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
            try {
                assertThat(http.get("/v2/audit/app/tags/list", basic("alice", "wrong-guess-never-logged")).statusCode()).isEqualTo(401);
                assertThat(http.get("/v2/audit/app/tags/list", basic("eve", "eve-pw-never-logged")).statusCode()).isEqualTo(403);
                token = http.token(basic("alice", password), "repository:audit/app:pull,push,delete");
                byte[] manifest = http.pushImage("audit/app", "v1", bearer(token));
                http.pushImage("audit/robot", "v1", basic("robot$ci", robotToken));
                assertThat(http.send("DELETE", "/v2/audit/app/manifests/" + AuthHttp.sha256(manifest), null, bearer(token))
                        .statusCode()).isEqualTo(202);
                assertThat(http.get("/v2/audit/app/tags/list", bearer(AuthSetup.tampered(token))).statusCode()).isEqualTo(401);
                assertThat(http.get("/token?scope=repository:audit/app:pull", basic("alice", "wrong-again-never-logged"))
                        .statusCode()).isEqualTo(401);
            } finally {
                System.setErr(original);
            }
        }
        String log = captured.toString(StandardCharsets.UTF_8);
        original.print(log);

        assertThat(log).as("each line names its request").containsPattern(
                "berth.audit - request [0-9a-f-]{36}: push manifest audit/app v1 by alice from 127.0.0.1")
                .containsPattern("berth.audit - request [0-9a-f-]{36}: denied eve from 127.0.0.1");
        log = log.replaceAll("berth.audit - request [A-Za-z0-9._:-]+: ", "berth.audit - ");
        assertThat(log).contains("berth.audit - denied anonymous from 127.0.0.1: repository:audit/app:pull (401 invalid credentials)")
                .contains("berth.audit - denied eve from 127.0.0.1: repository:audit/app:pull (403")
                .contains("berth.audit - push manifest audit/app v1 by alice from 127.0.0.1")
                .contains("berth.audit - push blob audit/app sha256:")
                .contains("berth.audit - push manifest audit/robot v1 by robot$ci from 127.0.0.1")
                .contains("berth.audit - delete audit/app sha256:")
                .contains("(401 invalid token: bad signature)")
                .contains("berth.audit - token refused for alice from 127.0.0.1: invalid credentials");
        assertThat(log).doesNotContain(password, robotToken, "never-logged", token, token.substring(token.lastIndexOf('.') + 1),
                robot.tokenHash(), "$2y$");
        for (String line : Files.readAllLines(htpasswd)) {
            assertThat(log).doesNotContain(line.substring(line.indexOf(':') + 1));
        }
    }
}
