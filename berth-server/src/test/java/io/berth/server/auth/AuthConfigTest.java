package io.berth.server.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.berth.server.auth.AuthConfig;
import io.berth.server.config.BerthConfig;
import io.berth.server.startup.ConfigException;
import io.berth.server.config.ConfigLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The {@code auth} and {@code tls} sections: defaults, overrides, and every mistake reported at once. */
class AuthConfigTest {
    @TempDir
    Path dir;

    BerthConfig load(String yaml, Map<String, String> environment, Optional<Path> htpasswdFlag) throws Exception {
        Path file = Files.writeString(dir.resolve("berth.yaml"), yaml);
        return ConfigLoader.load(new ConfigLoader.Flags(Optional.empty(), Optional.empty(), Optional.of(file), htpasswdFlag),
                environment);
    }

    @Test
    void withoutAnAuthSectionEverythingIsOpen() throws Exception {
        BerthConfig config = load("listen: 0.0.0.0:5000\n", Map.of(), Optional.empty());
        assertThat(config.auth()).isEqualTo(AuthConfig.NONE);
        assertThat(config.auth().enabled()).isFalse();
        assertThat(config.tls().enabled()).isFalse();
    }

    @Test
    void theHtpasswdFlagBeatsTheEnvironmentWhichBeatsTheFile() throws Exception {
        String yaml = "auth:\n  htpasswd: /from/file\n";
        assertThat(load(yaml, Map.of(), Optional.empty()).auth().htpasswd()).hasValue(Path.of("/from/file"));
        assertThat(load(yaml, Map.of("BERTH_AUTH_HTPASSWD", "/from/env"), Optional.empty()).auth().htpasswd())
                .hasValue(Path.of("/from/env"));
        BerthConfig flagged = load(yaml, Map.of("BERTH_AUTH_HTPASSWD", "/from/env"), Optional.of(Path.of("/from/flag")));
        assertThat(flagged.auth().htpasswd()).hasValue(Path.of("/from/flag"));
        assertThat(flagged.auth().enabled()).isTrue();
        assertThat(flagged.auth().token()).isEqualTo(AuthConfig.Token.DEFAULT);
        assertThat(flagged.auth().rateLimit()).isEqualTo(AuthConfig.RateLimit.DEFAULT);
    }

    @Test
    void tokenAndRateLimitSettings() throws Exception {
        BerthConfig config = load("""
                auth:
                  htpasswd: /h
                  token: {issuer: me, service: reg, realm: "https://r.example.com/token", ttl: 60, refreshTtl: 3600, key: /k.jwk}
                  rateLimit: {maxFailures: 3, windowSeconds: 30, lockoutSeconds: 90}
                """, Map.of(), Optional.empty());
        AuthConfig.Token token = config.auth().token();
        assertThat(token.issuer()).isEqualTo("me");
        assertThat(token.service()).isEqualTo("reg");
        assertThat(token.realm()).hasValue("https://r.example.com/token");
        assertThat(token.ttl()).isEqualTo(Duration.ofSeconds(60));
        assertThat(token.refreshTtl()).isEqualTo(Duration.ofHours(1));
        assertThat(token.key()).hasValue(Path.of("/k.jwk"));
        assertThat(config.auth().rateLimit()).isEqualTo(new AuthConfig.RateLimit(3, Duration.ofSeconds(30), Duration.ofSeconds(90)));
    }

    @Test
    void everyMistakeIsReportedWithWhereItIs() {
        assertThatThrownBy(() -> load("""
                auth:
                  htpasswd: /h
                  passwords: x
                  policies:
                    - repositories: ["Bad Pattern"]
                      users: [alice]
                      actions: [pull, write]
                    - repositories: ["ok/**"]
                      actions: [pull]
                  robots:
                    - name: "CI Bot"
                      tokenHash: plain-text-token
                      policies: []
                  token: {ttl: forever}
                tls:
                  certificate: /c.pem
                """, Map.of(), Optional.empty()))
                .isInstanceOf(ConfigException.class)
                .satisfies(e -> assertThat(((ConfigException) e).problems()).anySatisfy(p -> assertThat(p).contains("unknown key 'passwords'"))
                        .anySatisfy(p -> assertThat(p).contains("auth.policies[0]: invalid repository pattern 'Bad Pattern'"))
                        .anySatisfy(p -> assertThat(p).contains("auth.policies[0]: unknown action 'write'"))
                        .anySatisfy(p -> assertThat(p).contains("auth.policies[1] applies to nobody"))
                        .anySatisfy(p -> assertThat(p).contains("auth.robots[0].name"))
                        .anySatisfy(p -> assertThat(p).contains("auth.robots[0].tokenHash must be a bcrypt hash"))
                        .anySatisfy(p -> assertThat(p).contains("auth.robots[0].policies must grant"))
                        .anySatisfy(p -> assertThat(p).contains("auth.token.ttl must be a whole number"))
                        .anySatisfy(p -> assertThat(p).contains("tls needs both certificate and key"))
                        .allSatisfy(p -> assertThat(p).doesNotContain("plain-text-token")));
    }

    @Test
    void aRobotsHashIsNotInItsDescription() {
        AuthConfig.Robot robot = AuthSetup.robot("ci", "t", AuthSetup.users("a/**", java.util.List.of(), "pull"));
        assertThat(robot.toString()).doesNotContain(robot.tokenHash()).contains("ci");
    }
}
