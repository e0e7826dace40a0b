package io.berth.server.auth;

import static io.berth.server.auth.AuthHttp.basic;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.berth.server.auth.AuthConfig;
import io.berth.server.config.BerthConfig;
import io.berth.server.startup.ConfigException;
import io.berth.server.config.TlsConfig;
import io.berth.server.testing.BerthFixture;
import io.berth.server.testing.TestCertificates;
import io.berth.server.testing.TestCertificates.Pem;
import java.io.InputStream;
import java.math.BigInteger;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Base64;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * HTTPS from PEM files (self-signed certificates made with the JDK's keytool), reloaded when they change; and the
 * refusal to start with authorization over plain HTTP on a non-loopback address.
 */
class TlsTest {
    @TempDir
    Path dir;

    private Pem selfSigned(String name) throws Exception {
        return TestCertificates.selfSigned(dir, name);
    }

    /** The serial number of the certificate a new connection is served. */
    static BigInteger servedSerial(URI uri, SSLContext ssl) throws Exception {
        HttpClient client = HttpClient.newBuilder().sslContext(ssl).connectTimeout(Duration.ofSeconds(10)).build();
        HttpResponse<Void> response = client.send(HttpRequest.newBuilder(uri.resolve("/healthz")).build(),
                HttpResponse.BodyHandlers.discarding());
        assertThat(response.statusCode()).isEqualTo(200);
        return ((X509Certificate) response.sslSession().orElseThrow().getPeerCertificates()[0]).getSerialNumber();
    }

    @Test
    void servesHttpsAndReloadsTheCertificateWhenItChanges() throws Exception {
        Pem first = selfSigned("first");
        Pem second = selfSigned("second");
        Path cert = Files.copy(first.certificate(), dir.resolve("tls.crt"));
        Path key = Files.copy(first.key(), dir.resolve("tls.key"));
        Path htpasswd = AuthSetup.htpasswd(dir.resolve("htpasswd"), "alice", "alice-pw");
        try (BerthFixture registry = BerthFixture.start(dir.resolve("data"), c -> c.withTls(TlsConfig.of(cert, key))
                .withAuth(AuthConfig.NONE.withHtpasswd(htpasswd)))) {
            URI https = URI.create("https://" + registry.hostPort());
            SSLContext both = TestCertificates.trusting(first.x509(), second.x509());
            assertThat(servedSerial(https, both)).isEqualTo(first.x509().getSerialNumber());
            AuthHttp http = new AuthHttp(https, both);
            HttpResponse<byte[]> challenge = http.get("/v2/", null);
            assertThat(challenge.headers().firstValue("WWW-Authenticate").orElseThrow())
                    .as("the realm follows the scheme").startsWith("Bearer realm=\"https://" + registry.hostPort() + "/token\"");
            HttpResponse<byte[]> signedIn = http.get("/v2/", basic("alice", "alice-pw"));
            assertThat(signedIn.statusCode()).isEqualTo(200);
            assertThat(signedIn.headers().firstValue("Strict-Transport-Security")).as("HSTS over TLS, on every answer")
                    .contains("max-age=31536000; includeSubDomains");
            assertThat(challenge.headers().firstValue("Strict-Transport-Security")).isPresent();

            // a broken pair is not taken
            Files.writeString(cert, "-----BEGIN CERTIFICATE-----\nbroken\n-----END CERTIFICATE-----\n");
            Thread.sleep(2 * 2_000 + 500);
            assertThat(servedSerial(https, both)).isEqualTo(first.x509().getSerialNumber());

            Files.copy(second.certificate(), cert, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            Files.copy(second.key(), key, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
            BigInteger served = servedSerial(https, both);
            while (!served.equals(second.x509().getSerialNumber()) && System.nanoTime() < deadline) {
                Thread.sleep(250);
                served = servedSerial(https, both);
            }
            assertThat(served).isEqualTo(second.x509().getSerialNumber());
            assertThat(http.get("/v2/", basic("alice", "alice-pw")).statusCode()).isEqualTo(200);
        }
    }

    @Test
    void authorizationOnAllInterfacesWithTlsStarts() throws Exception {
        Pem pem = selfSigned("wide");
        Path htpasswd = AuthSetup.htpasswd(dir.resolve("htpasswd"), "alice", "alice-pw");
        try (BerthFixture registry = BerthFixture.start(dir.resolve("data"), c -> c.withTls(TlsConfig.of(pem.certificate(), pem.key()))
                .withAuth(AuthConfig.NONE.withHtpasswd(htpasswd)).withListen("0.0.0.0", 0))) {
            AuthHttp http = new AuthHttp(URI.create("https://" + registry.hostPort()), TestCertificates.trusting(pem.x509()));
            assertThat(http.get("/v2/", basic("alice", "alice-pw")).statusCode()).isEqualTo(200);
        }
    }

    @Test
    void authorizationOverPlainHttpOnANonLoopbackAddressIsRefusedUnlessAllowed() {
        AuthConfig auth = AuthConfig.NONE.withHtpasswd(dir.resolve("htpasswd"));
        BerthConfig loopback = BerthConfig.defaults(dir).withAuth(auth);

        assertThatThrownBy(() -> loopback.withListen("0.0.0.0", 5000)).isInstanceOf(ConfigException.class)
                .hasMessageContaining("authorization over plain HTTP on 0.0.0.0");
        assertThatThrownBy(() -> loopback.withListen("192.0.2.10", 5000)).isInstanceOf(ConfigException.class);
        assertThat(loopback.withListen("::1", 5000).host()).isEqualTo("::1");
        assertThat(loopback.withListen("localhost", 5000).host()).isEqualTo("localhost");
        assertThat(loopback.withTls(TlsConfig.NONE.withAllowPlainHttpAuth(true)).withListen("0.0.0.0", 5000).port())
                .isEqualTo(5000);
        assertThat(BerthConfig.defaults(dir).withListen("0.0.0.0", 5000).auth().enabled())
                .as("without authorization, plain HTTP anywhere is fine").isFalse();
        assertThatThrownBy(() -> new TlsConfig(java.util.Optional.of(dir), java.util.Optional.empty(), false, true))
                .hasMessageContaining("both certificate and key");
    }
}
