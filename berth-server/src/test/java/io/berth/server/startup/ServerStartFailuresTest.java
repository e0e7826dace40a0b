package io.berth.server.startup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.berth.server.BerthServer;
import io.berth.server.config.BerthConfig;
import io.berth.server.config.TlsConfig;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What {@link BerthServer#start} reports when it cannot listen although the configuration passed its checks (another
 * program took the port in between; Vert.x reads the TLS pair only then): one line, as the checks would say it.
 */
class ServerStartFailuresTest {
    @TempDir
    Path dir;

    @Test
    void aPortTakenAfterTheCheckIsNamedWithItsAddress() throws IOException {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            BerthConfig config = BerthConfig.defaults(dir.resolve("data")).withListen("127.0.0.1", taken.getLocalPort());

            ConfigException e = catchThrowableOfType(() -> BerthServer.start(config).close(), ConfigException.class);

            assertThat(e.problems()).containsExactly("address 127.0.0.1:" + taken.getLocalPort() + " (--listen) is in"
                    + " use; stop the program listening there or choose another with --listen");
            assertThat(e.getCause()).hasMessageContaining("Address already in use");
        }
    }

    @Test
    void aTlsPairThatIsNotPemIsNamed() throws IOException {
        Path certificate = Files.writeString(dir.resolve("tls.crt"), "-----BEGIN CERTIFICATE-----\nbroken\n-----END CERTIFICATE-----\n");
        Path key = Files.writeString(dir.resolve("tls.key"), "not a key\n");
        BerthConfig config = BerthConfig.defaults(dir.resolve("data")).withListen("127.0.0.1", 0)
                .withTls(TlsConfig.of(certificate, key));

        ConfigException e = catchThrowableOfType(() -> BerthServer.start(config).close(), ConfigException.class);

        assertThat(e.problems()).singleElement().asString()
                .startsWith("TLS certificate " + certificate + " and key " + key + " cannot be used (")
                .endsWith("); give a PEM certificate chain and its PEM private key")
                .doesNotContain("\n");
    }
}
