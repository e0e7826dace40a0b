package io.berth.server.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.berth.server.auth.AuthConfig;
import io.berth.server.startup.ConfigException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Credentials over plain HTTP are allowed only on a loopback listener, decided by the address the host resolves to,
 * not by how it is spelled ({@code .invalid} names never resolve, RFC 2606).
 */
class LoopbackTest {
    @TempDir
    Path dir;

    @Test
    void loopbackAddressesAndLocalhostAreLoopback() {
        assertThat(BerthConfig.isLoopback("127.0.0.1")).isTrue();
        assertThat(BerthConfig.isLoopback("127.1.2.3")).isTrue();
        assertThat(BerthConfig.isLoopback("::1")).isTrue();
        assertThat(BerthConfig.isLoopback("0:0:0:0:0:0:0:1")).isTrue();
        assertThat(BerthConfig.isLoopback("localhost")).isTrue();
    }

    @Test
    void namesThatMerelyStartWith127AndOtherAddressesAreNot() {
        assertThat(BerthConfig.isLoopback("127.example.invalid")).isFalse();
        assertThat(BerthConfig.isLoopback("127.0.0.1.invalid")).isFalse();
        assertThat(BerthConfig.isLoopback("0.0.0.0")).isFalse();
        assertThat(BerthConfig.isLoopback("::")).isFalse();
        assertThat(BerthConfig.isLoopback("192.0.2.10")).isFalse();
        assertThat(BerthConfig.isLoopback("")).isFalse();
    }

    @Test
    void authorizationOnA127NameThatIsNotLoopbackIsRefused() {
        BerthConfig config = BerthConfig.defaults(dir).withAuth(AuthConfig.NONE.withHtpasswd(dir.resolve("htpasswd")));

        assertThatThrownBy(() -> config.withListen("127.example.invalid", 5000)).isInstanceOf(ConfigException.class)
                .hasMessageContaining("authorization over plain HTTP on 127.example.invalid");
        assertThat(config.withListen("127.0.0.2", 5000).host()).isEqualTo("127.0.0.2");
    }
}
